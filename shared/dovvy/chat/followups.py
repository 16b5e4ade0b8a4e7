"""The conversation state across turns, and the one follow-up question worth asking.

A turn starts from the state the session stored, overlaid with what the client sent (the client's
copy is the newer one). It may fill the profile (a known `cert_level`), steer routing (`last_intent`,
then `context_mode`), and ends with a new state: what changed is sent back as
`metadata.state_updates`, and the whole state is stored with the session.

The follow-up is chosen from the state, never repeated: the certification when the answer depends
on it and nobody has said it, the destination when planning without one, the travel dates when
the destination is known but not when, and nothing otherwise.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from dovvy import catalogue
from dovvy.chat.router import AGENTS, Agent
from dovvy.profile_limits import MAX_ASKED_FOLLOW_UPS
from dovvy.text import normalise

_MODE_OF_AGENT: dict[str, str] = {"certification": "learning", "trip": "planning"}
_AGENT_OF_MODE: dict[str, Agent] = {
    "learning": "certification",
    "planning": "trip",
    "briefing": "trip",
    "curiosity": "general",
}
# When they go or what the water is like there: the conditions are known (or being asked about).
_CONDITIONS = re.compile(
    r"\b(currents?|visibility|vis|water temp\w*|temperature|conditions|season|monsoon|"
    r"best time|when to go|weather|swell|thermoclines?)\b"
)
# About a dive itself (the site's current, visibility, entry): a briefing, not trip planning.
_BRIEFING = re.compile(r"\b(currents?|visibility|vis|thermoclines?|entry|entries|briefing|descent|surge)\b")
_DEPTH = re.compile(r"\b(deep|depth|how far down|max(imum)? depth|\d+ ?(m|metres?|meters?|ft|feet))\b")


@dataclasses.dataclass(frozen=True)
class FollowUp:
    key: str
    question: str


CERTIFICATION = FollowUp(
    "certification",
    "What certification do you hold, if any? Depth limits and the sites and courses open to you "
    "depend on it.",
)
DESTINATION = FollowUp(
    "destination",
    "Where are you thinking of diving? I can tell you about its seasons, sites and the certification "
    "they need.",
)
DATES = FollowUp(
    "dates",
    "When are you planning to go? Conditions there change with the season.",
)
EMERGENCY = FollowUp(
    "emergency_help",
    "Are you or your buddy with someone who can call for help and give oxygen?",
)


def starting_state(stored: dict[str, Any], sent: dict[str, Any] | None) -> dict[str, Any]:
    """The state a turn starts from: the stored one with the client's keys on top."""
    return {**stored, **(sent or {})}


def code_of(level_name: str | None) -> str | None:
    found = catalogue.level(level_name)
    return found.code if found else None


def level_from(state: dict[str, Any]) -> str | None:
    """The catalogue level the state's `cert_level` names ("OW" → "Open Water"), if any."""
    found = catalogue.level(state.get("cert_level"))
    return found.name if found else None


def prior_agent(state: dict[str, Any]) -> Agent | None:
    """The agent the conversation was with: the last intent, else the context mode's agent."""
    intent = str(state.get("last_intent") or "").lower()
    agent = next((a for a in AGENTS if a == intent), None)
    return agent or _AGENT_OF_MODE.get(str(state.get("context_mode") or "").lower())


def _mode(agent: str, message: str, before: str | None, location_known: bool) -> str | None:
    mode = _MODE_OF_AGENT.get(agent)
    if mode == "planning" and location_known and _BRIEFING.search(normalise(message)):
        return "briefing"
    if mode is None:
        return before or "curiosity"
    return mode


def next_state(
    before: dict[str, Any],
    *,
    agent: str,
    answered: bool,
    message: str,
    profile: dict[str, Any],
) -> dict[str, Any]:
    """The state after this turn (before the follow-up is recorded). `agent` is the route's agent,
    or "emergency"; `answered` is False for a declined message, which changes nothing."""
    if not answered and agent != "emergency":
        return dict(before)
    after = dict(before)
    code = code_of(profile.get("certification_level"))
    if code:
        after["cert_level"] = code
    # A country named ("turtles in malaysia") is where the diver is thinking of: the catalogue knows
    # its destinations, and the answer names them.
    location_known = (
        bool(profile.get("destination"))
        or bool(before.get("location_known"))
        or bool(catalogue.destinations_in_country(message))
    )
    conditions = bool(profile.get("travel_dates")) or (
        location_known and bool(_CONDITIONS.search(normalise(message)))
    )
    # An unknown stays absent rather than becoming false: the client learns only what changed.
    for key, known in (("location_known", location_known), ("conditions_known", conditions)):
        if known or key in before:
            after[key] = known or bool(before.get(key))
    after["last_intent"] = agent
    if agent != "emergency":
        after["context_mode"] = _mode(agent, message, before.get("context_mode"), location_known)
    return after


def _certification_matters(agent: str, message: str) -> bool:
    return agent in {"certification", "trip"} or bool(_DEPTH.search(normalise(message)))


def choose(
    state: dict[str, Any],
    *,
    agent: str,
    answered: bool,
    message: str,
    profile: dict[str, Any],
    stored: dict[str, Any] | None = None,
) -> FollowUp | None:
    """The follow-up for this turn, or None; one already in `asked_follow_ups` is never asked again.
    The emergency's is asked once per session as the server recorded it (`stored`): a client's
    state cannot silence it."""
    asked = set(state.get("asked_follow_ups") or [])
    if agent == "emergency":
        recorded = set((stored if stored is not None else state).get("asked_follow_ups") or [])
        return None if EMERGENCY.key in recorded else EMERGENCY
    if not answered:
        return None
    planning = agent == "trip" or state.get("context_mode") in {"planning", "briefing"}
    candidates = []
    if not profile.get("certification_level") and _certification_matters(agent, message):
        candidates.append(CERTIFICATION)
    if planning and not profile.get("destination") and not state.get("location_known"):
        candidates.append(DESTINATION)
    if planning and state.get("location_known") and not state.get("conditions_known"):
        candidates.append(DATES)
    return next((f for f in candidates if f.key not in asked and f.question not in asked), None)


def asked(state: dict[str, Any], follow_up: FollowUp | None) -> dict[str, Any]:
    """The state with `follow_up` recorded as asked (the newest MAX_ASKED_FOLLOW_UPS kept: the
    client may send a full list, and the stored state must still fit the contract)."""
    if follow_up is None:
        return state
    asked_so_far = [*(state.get("asked_follow_ups") or []), follow_up.key]
    return {**state, "asked_follow_ups": asked_so_far[-MAX_ASKED_FOLLOW_UPS:]}


def changes(reference: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The keys whose value differs from what the client holds (`reference`), with their new values."""
    return {key: value for key, value in after.items() if key not in reference or reference[key] != value}
