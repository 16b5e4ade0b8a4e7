"""The diver profile: one shape for what the API accepts and the sessions table stores.
Light to import: the session and lead functions load it on their cold path."""

from __future__ import annotations

from typing import Any

from dovvy.profile_limits import MAX_INTERESTS
from dovvy.shape import ListOf, Shape, Text, Whole, checked, valid_part

_TEXT = Text(min_length=1, max_length=100)

# Unknown keys are ignored; a known key with the wrong type is a 422 naming it.
PROFILE = Shape(
    {
        "certification_level": _TEXT,
        "certification_agency": Text(min_length=1, max_length=20),
        "logged_dives": Whole(ge=0, le=100_000),
        "last_dive": _TEXT,
        "interests": ListOf(Text(min_length=1, max_length=50), max_items=MAX_INTERESTS),
        "destination": _TEXT,
        "travel_dates": _TEXT,
        "group_size": Whole(ge=1, le=50),
    },
    extra="ignore",
)


def kept(profile: dict[str, Any]) -> dict[str, Any]:
    """A checked profile as a session keeps it: a known certification name or abbreviation as its
    level's name, nulls dropped."""
    level = profile.get("certification_level")
    if level is not None:
        from dovvy import catalogue  # read only when a level is given

        found = catalogue.level(level)
        profile = {**profile, "certification_level": found.name if found else level}
    return {k: v for k, v in profile.items() if v is not None}


def profile_from(raw: Any, prefix: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """A profile a client sent, checked (ShapeError names each bad field) and stored as kept."""
    return kept(checked(PROFILE, raw, prefix))


def stored_profile(raw: Any) -> dict[str, Any]:
    """A profile read back from the database, keeping only the fields that are still valid (a row
    written before interests were bounded keeps its newest MAX_INTERESTS)."""
    if isinstance(raw, dict) and isinstance(raw.get("interests"), list):
        raw = {**raw, "interests": raw["interests"][-MAX_INTERESTS:]}
    return kept(valid_part(PROFILE, raw))


# A checked profile as the chat turn carries it: the PROFILE fields a session holds, nulls dropped.
DiverProfile = dict[str, Any]
