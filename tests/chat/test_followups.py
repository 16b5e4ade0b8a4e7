"""The state rules on their own: routing prior, follow-up choice, and the changed keys."""

from __future__ import annotations

from typing import Any

import pytest

from dovvy.chat import followups
from dovvy.chat.router import route


@pytest.mark.parametrize(
    ("state", "agent"),
    [
        pytest.param({"last_intent": "trip", "context_mode": "learning"}, "trip", id="intent-first"),
        pytest.param(
            {"last_intent": "emergency", "context_mode": "learning"}, "certification", id="mode-next"
        ),
        pytest.param({"context_mode": "briefing"}, "trip", id="briefing"),
        pytest.param({"context_mode": "curiosity"}, "general", id="curiosity"),
        pytest.param({"last_intent": "INFO_LOOKUP"}, None, id="unknown-intent"),
        pytest.param({}, None, id="nothing"),
    ],
)
def test_prior_agent(state: dict[str, Any], agent: str | None) -> None:
    assert followups.prior_agent(state) == agent


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("What's the capital of France?", id="trivia"),
        pytest.param("write me a poem about cats", id="request"),
    ],
)
def test_a_prior_never_makes_an_off_topic_message_on_topic(message: str) -> None:
    assert not route(message, prior="trip").on_topic


def test_a_topic_word_outweighs_the_prior() -> None:
    assert route("and what about my ears on the way down?", prior="trip").agent == "safety"


def test_follow_ups_listed_by_their_text_count_as_asked() -> None:
    state = {"asked_follow_ups": [followups.CERTIFICATION.question]}
    chosen = followups.choose(state, agent="certification", answered=True, message="what next?", profile={})
    assert chosen is None


def test_the_certification_comes_before_the_destination() -> None:
    chosen = followups.choose({}, agent="trip", answered=True, message="where to dive?", profile={})
    assert chosen == followups.CERTIFICATION
    after = followups.asked({}, chosen)
    again = followups.choose(after, agent="trip", answered=True, message="where to dive?", profile={})
    assert again == followups.DESTINATION


@pytest.mark.parametrize(
    ("reference", "after", "changed"),
    [
        pytest.param({}, {"cert_level": "OW"}, {"cert_level": "OW"}, id="new-key"),
        pytest.param({"cert_level": "OW"}, {"cert_level": "OW"}, {}, id="same"),
        pytest.param({"cert_level": None}, {"cert_level": None}, {}, id="same-null"),
        pytest.param(
            {"location_known": False}, {"location_known": True}, {"location_known": True}, id="flip"
        ),
        pytest.param(
            {"asked_follow_ups": ["a"]},
            {"asked_follow_ups": ["a", "b"]},
            {"asked_follow_ups": ["a", "b"]},
            id="list",
        ),
    ],
)
def test_changes(reference: dict[str, Any], after: dict[str, Any], changed: dict[str, Any]) -> None:
    assert followups.changes(reference, after) == changed


@pytest.mark.parametrize(
    ("message", "mode"),
    [
        pytest.param("best time of year to dive tioman?", "planning", id="season-is-planning"),
        pytest.param("how strong is the current at tiger reef", "briefing", id="current-is-briefing"),
    ],
)
def test_planning_or_briefing(message: str, mode: str) -> None:
    after = followups.next_state(
        {}, agent="trip", answered=True, message=message, profile={"destination": "tioman"}
    )
    assert after["context_mode"] == mode


def test_a_country_named_is_a_place_known_and_its_destinations_are_searched() -> None:
    from dovvy import catalogue
    from dovvy.chat.profile import extract

    codes = {p.code for p in catalogue.destinations_in_country("where can i see turtles in malaysia in may")}
    assert codes == {"tioman", "perhentian-redang", "sipadan-semporna"}
    assert catalogue.destinations_in_country("diving at tioman in malaysia") == ()  # a destination named
    assert catalogue.destinations_in_country("diving in norway") == ()
    after = followups.next_state(
        {}, agent="trip", answered=True, message="turtles in malaysia in may?", profile={}
    )
    assert after["location_known"] is True
    assert (
        followups.choose(
            after, agent="trip", answered=True, message="turtles in malaysia in may?", profile={}
        )
        != followups.DESTINATION
    )
    assert extract("me and my gf wanna go diving in malaysia next yr")["travel_dates"] == "next yr"
    assert extract("turtles in malaysia in may?")["travel_dates"] == "in may"
