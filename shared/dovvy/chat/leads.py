"""Spotting a diver who is ready to book, and prefilling the lead form from the conversation."""

from __future__ import annotations

import re
from typing import Any

from dovvy import catalogue
from dovvy.text import normalise

_BOOKING = re.compile(
    r"\b(book|booking|sign (me )?up|enrol+|register|reserve|reservation|how much (is|does|for)|price|prices|cost of|"
    r"availability|available dates|(i|we)('d| would) like to (do|take|book|go|join|start)|"
    r"(i|we) want to (do|take|book|go|join|start|sign)|ready to (book|start|go)|interested in (booking|taking|doing)|"
    r"contact (a|the|your) (dive )?(shop|centre|center)|get a quote|quote)\b"
)
# Most specific first: "Advanced Open Water" must not be read as "Open Water".
_COURSES = [
    (r"advanced|aow", "Advanced Open Water"),
    (r"rescue", "Rescue Diver"),
    (r"divemaster|dive master", "Divemaster"),
    (r"instructor|idc", "Instructor Development Course"),
    (r"nitrox|enriched air", "Enriched Air Nitrox"),
    (r"deep (diver|specialty|course)", "Deep Diver"),
    (r"wreck", "Wreck Diver"),
    (r"night", "Night Diver"),
    (r"dry ?suit", "Dry Suit Diver"),
    (r"refresher|reactivate", "Scuba Refresher"),
    (r"try (scuba|diving)|discover scuba|try dive", "Discover Scuba Diving"),
    (r"open water", "Open Water Diver"),
]


def suggest(message: str, agent: str, profile: dict[str, Any]) -> dict[str, Any] | None:
    """A lead suggestion {"type", "prefill"} when the diver wants to book; None otherwise."""
    text = normalise(message)
    if not _BOOKING.search(text):
        return None
    course = next((name for pattern, name in _COURSES if re.search(rf"\b{pattern}\b", text)), None)
    wants_trip = agent == "trip" or bool(
        re.search(r"\b(trip|liveaboard|holiday|vacation|travel|dives? in|diving in|go to)\b", text)
        or (profile.get("destination") and not course)
    )
    if course and not re.search(r"\b(trip|liveaboard|holiday)\b", text):
        prefill: dict[str, Any] = {"interested_certification": course}
        if profile.get("certification_level"):
            prefill["certification_level"] = profile["certification_level"]
        if profile.get("destination"):
            prefill["preferred_location"] = catalogue.display_name(str(profile["destination"]))
        return {"type": "training", "prefill": prefill}
    if wants_trip:
        prefill = {}
        if profile.get("destination"):
            prefill["destination"] = catalogue.display_name(str(profile["destination"]))
        for key in ("travel_dates", "group_size"):
            if profile.get(key):
                prefill[key] = profile[key]
        if profile.get("certification_level"):
            prefill["message"] = f"Certification: {profile['certification_level']}"
        return {"type": "trip", "prefill": prefill}
    if agent == "certification":
        prefill = {}
        if profile.get("certification_level"):
            prefill["certification_level"] = profile["certification_level"]
        return {"type": "training", "prefill": prefill}
    return None
