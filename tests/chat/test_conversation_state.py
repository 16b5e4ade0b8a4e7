"""The web app's conversation state (`sessionState`): accepted as it sends it, used, kept with the
session, and answered with exactly the keys a turn changed."""

from __future__ import annotations

from typing import Any

import pytest

from dovvy.runtime import Runtime
from tests.chat.conftest import ask as chat
from tests.contract import ContractClient


@pytest.mark.parametrize(
    "state",
    [
        pytest.param({}, id="empty"),
        pytest.param({"cert_level": None, "context_mode": None, "last_intent": None}, id="nulls"),
        pytest.param(
            {
                "cert_level": "unknown",
                "context_mode": "curiosity",
                "location_known": False,
                "conditions_known": False,
                "last_intent": "general",
                "asked_follow_ups": [],
            },
            id="populated",
        ),
        pytest.param({"cert_level": "OW", "theme": "dark", "v": 2, "nested": {"x": [1]}}, id="unknown-keys"),
        pytest.param({"context_mode": "daydreaming", "last_intent": "INFO_LOOKUP"}, id="unknown-values"),
    ],
)
def test_well_formed_states_are_accepted(chat_api: ContractClient, state: dict[str, Any]) -> None:
    answer = chat(chat_api, "How do I clear my mask?", sessionState=state)
    assert isinstance(answer["metadata"]["state_updates"], dict)


def test_snake_case_is_accepted_too(chat_api: ContractClient) -> None:
    answer = chat(chat_api, "How do I clear my mask?", session_state={"cert_level": "AOW"})
    assert answer["metadata"]["state_updates"].get("cert_level") is None  # unchanged: AOW already


@pytest.mark.parametrize(
    ("state", "field"),
    [
        pytest.param({"location_known": "yes"}, "sessionState.location_known", id="bool-as-string"),
        pytest.param({"cert_level": 3}, "sessionState.cert_level", id="number-as-level"),
        pytest.param({"asked_follow_ups": "dates"}, "sessionState.asked_follow_ups", id="string-as-list"),
        pytest.param([], "sessionState", id="list-as-state"),
    ],
)
def test_a_known_key_of_the_wrong_type_is_a_422_naming_it(
    chat_api: ContractClient, state: Any, field: str
) -> None:
    response = chat_api.post("/api/chat", json={"message": "hello", "sessionState": state})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_a_known_cert_level_fills_an_empty_profile(chat_api: ContractClient) -> None:
    answer = chat(chat_api, "Which Red Sea sites suit me?", sessionState={"cert_level": "AOW"})
    profile = chat_api.get(f"/api/sessions/{answer['sessionId']}").json()["diver_profile"]
    assert profile["certification_level"] == "Advanced Open Water"
    # Known, so it is not asked for.
    assert answer["metadata"]["state_updates"].get("asked_follow_ups", []) != ["certification"]


def test_the_cert_level_never_overrides_what_the_diver_said(chat_api: ContractClient) -> None:
    first = chat(chat_api, "I'm a divemaster, what is nitrox?")
    answer = chat(chat_api, "ok thanks", sessionId=first["sessionId"], sessionState={"cert_level": "OW"})
    profile = chat_api.get(f"/api/sessions/{first['sessionId']}").json()["diver_profile"]
    assert profile["certification_level"] == "Divemaster"
    assert answer["metadata"]["state_updates"]["cert_level"] == "DM"


def test_what_the_diver_says_becomes_the_cert_level(chat_api: ContractClient) -> None:
    answer = chat(chat_api, "I have my advanced open water, how deep can I go?", sessionState={})
    assert answer["metadata"]["state_updates"]["cert_level"] == "AOW"


def test_certification_is_asked_when_the_answer_depends_on_it(chat_api: ContractClient) -> None:
    answer = chat(chat_api, "Which dive sites in the Red Sea are good?", sessionState={})
    assert answer["followUpQuestion"].startswith("What certification do you hold")
    assert answer["metadata"]["state_updates"]["asked_follow_ups"] == ["certification"]


def test_a_follow_up_is_never_asked_twice(chat_api: ContractClient) -> None:
    state: dict[str, Any] = {"asked_follow_ups": ["certification"]}
    answer = chat(chat_api, "Which dive sites in the Red Sea are good?", sessionState=state)
    assert not (answer["followUpQuestion"] or "").startswith("What certification")


def test_the_destination_is_asked_when_planning_without_one(chat_api: ContractClient) -> None:
    answer = chat(
        chat_api, "Where should I go for a dive trip in spring?", sessionState={"cert_level": "AOW"}
    )
    assert answer["agentType"] == "trip"
    assert answer["followUpQuestion"].startswith("Where are you thinking of diving")
    updates = answer["metadata"]["state_updates"]
    assert updates["context_mode"] == "planning"
    assert updates["asked_follow_ups"] == ["destination"]


def test_the_dates_are_asked_once_the_destination_is_known(chat_api: ContractClient) -> None:
    answer = chat(
        chat_api,
        "I'd like a trip to Raja Ampat",
        sessionState={"cert_level": "AOW", "asked_follow_ups": ["destination"]},
    )
    updates = answer["metadata"]["state_updates"]
    assert updates["location_known"] is True
    assert answer["followUpQuestion"].startswith("When are you planning to go")
    assert updates["asked_follow_ups"] == ["destination", "dates"]


def test_nothing_is_asked_when_nothing_would_help(chat_api: ContractClient) -> None:
    answer = chat(chat_api, "How do I clear my mask?", sessionState={"cert_level": "OW"})
    assert answer["followUpQuestion"] is None
    assert "asked_follow_ups" not in answer["metadata"]["state_updates"]


def test_an_off_topic_message_changes_no_state(chat_api: ContractClient) -> None:
    state = {"cert_level": "OW", "context_mode": "learning", "last_intent": "certification"}
    answer = chat(chat_api, "What's the capital of France?", sessionState=state)
    assert answer["followUpQuestion"] is None
    assert answer["metadata"]["state_updates"] == {}


def test_updates_hold_exactly_the_changed_keys(chat_api: ContractClient) -> None:
    first = chat(chat_api, "What does the Open Water course involve?", sessionState={})
    state = first["metadata"]["state_updates"]
    assert state["context_mode"] == "learning"
    assert state["last_intent"] == "certification"
    # The client merges the updates and sends its whole state back: a turn like the first changes
    # nothing but what is new.
    second = chat(
        chat_api,
        "What does the Rescue Diver course involve?",
        sessionId=first["sessionId"],
        sessionState=state,
    )
    assert second["metadata"]["state_updates"] == {}


def test_a_short_follow_up_is_routed_by_the_state(chat_api: ContractClient) -> None:
    """A new session (no history) with the state of a trip conversation held in the browser."""
    state = {"context_mode": "planning", "last_intent": "trip", "location_known": True}
    answer = chat(chat_api, "what about in march?", sessionState=state)
    assert answer["agentType"] == "trip"
    assert answer["metadata"]["route"]["reason"].startswith("follow-up")


def test_without_a_state_the_same_message_is_not_a_trip_question(chat_api: ContractClient) -> None:
    answer = chat(chat_api, "what about in march?")
    assert answer["agentType"] != "trip"


def test_the_state_is_kept_with_the_session(chat_api: ContractClient) -> None:
    first = chat(chat_api, "Which dive sites in the Red Sea are good?", sessionState={"cert_level": "AOW"})
    session = chat_api.get(f"/api/sessions/{first['sessionId']}").json()
    assert session["conversation_state"]["cert_level"] == "AOW"
    assert session["conversation_state"]["last_intent"] == "trip"
    # A new browser on the same session sends an empty state and gets every key back.
    second = chat(chat_api, "How about wrecks there?", sessionId=first["sessionId"], sessionState={})
    assert second["metadata"]["state_updates"]["cert_level"] == "AOW"
    assert second["metadata"]["state_updates"]["location_known"] is True


def test_without_sessionstate_the_stored_state_is_the_reference(chat_api: ContractClient) -> None:
    first = chat(chat_api, "What does the Open Water course involve?")
    assert first["metadata"]["state_updates"]["last_intent"] == "certification"
    second = chat(chat_api, "What does the Rescue Diver course involve?", sessionId=first["sessionId"])
    assert "last_intent" not in second["metadata"]["state_updates"]


def test_an_emergency_asks_for_help_once(chat_api: ContractClient) -> None:
    message = "my buddy surfaced 10 min ago and now his arm is numb and he feels dizzy"
    first = chat(chat_api, message, sessionState={})
    assert first["agentType"] == "emergency"
    assert first["followUpQuestion"].startswith("Are you or your buddy with someone")
    assert first["metadata"]["state_updates"]["last_intent"] == "emergency"
    state = first["metadata"]["state_updates"]
    second = chat(chat_api, message, sessionId=first["sessionId"], sessionState=state)
    assert second["agentType"] == "emergency"
    assert second["followUpQuestion"] is None


def test_a_stored_state_of_the_wrong_shape_is_read_leniently(
    chat_api: ContractClient, chat_runtime: Runtime
) -> None:
    session_id = chat(chat_api, "How do I clear my mask?")["sessionId"]
    chat_runtime.pool.run(
        lambda conn: conn.run(
            """UPDATE sessions SET conversation_state = '{"cert_level": 7, "location_known": true}'
               WHERE id = CAST(:id AS uuid)""",
            id=session_id,
        )
    )
    session = chat_api.get(f"/api/sessions/{session_id}").json()
    assert session["conversation_state"] == {"location_known": True}
    assert chat(chat_api, "and fog?", sessionId=session_id)["sessionId"] == session_id


def test_a_client_cannot_silence_the_emergency_follow_up(chat_api: ContractClient) -> None:
    message = "my buddy surfaced 10 min ago and now his arm is numb and he feels dizzy"
    answer = chat(chat_api, message, sessionState={"asked_follow_ups": ["emergency_help"]})
    assert answer["agentType"] == "emergency"
    assert answer["followUpQuestion"].startswith("Are you or your buddy with someone")


def test_the_asked_follow_ups_stay_within_the_contract(chat_api: ContractClient) -> None:
    """A full list from the client plus this turn's follow-up must still fit (maxItems 100): the
    session's GET is checked against the contract."""
    full = [f"asked {n}" for n in range(100)]
    answer = chat(chat_api, "Where can I see mantas in Malaysia?", sessionState={"asked_follow_ups": full})
    asked = answer["metadata"]["state_updates"]["asked_follow_ups"]
    assert len(asked) == 100
    assert answer["followUpQuestion"] is not None  # this turn asked one: it is the newest kept
    assert asked[-1] in ("certification", "destination")
    stored = chat_api.get(f"/api/sessions/{answer['sessionId']}")
    assert stored.status_code == 200
