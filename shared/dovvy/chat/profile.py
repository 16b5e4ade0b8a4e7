"""Pulling the diver profile out of what the diver says: certification and agency, logged dives,
last dive, interests, and trip details (destination, dates, group size) for lead prefill."""

from __future__ import annotations

import re
from typing import Any

from dovvy import catalogue
from dovvy.catalogue import destination_in
from dovvy.profile_limits import MAX_INTERESTS
from dovvy.text import normalise

_INTERESTS = {
    "wrecks": r"\bwrecks?\b",
    "mantas": r"\bmantas?\b",
    "sharks": r"\bsharks?|hammerheads?\b",
    "macro": r"\bmacro|nudibranch\w*\b",
    "photography": r"\bphoto\w*|camera\b",
    "night diving": r"\bnight div\w*\b",
    "drift diving": r"\bdrift\w*\b",
    "caves and caverns": r"\bcaves?|caverns?\b",
    "nitrox": r"\bnitrox|enriched air\b",
    "deep diving": r"\bdeep div\w*\b",
    "turtles": r"\bturtles?\b",
}
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def _level_named(text: str) -> catalogue.Level | None:
    """The level whose longest alias appears in `text` ("advanced open water" before "open water")."""
    named = [
        (len(alias), level)
        for level in catalogue.load().levels
        for alias in level.aliases
        if re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", text)
    ]
    return max(named, key=lambda pair: pair[0])[1] if named else None


def _level(text: str) -> str | None:
    """A level the diver holds, not one they ask about or want to take."""
    wanting = re.search(
        r"\b(want|like|sign|book|take|taking|do|doing|become|learn|interested|enrol\w*|start)\b", text
    )
    holding = re.search(r"\b(i'?m|i am|i have|i've|i got|got my|i hold|certified|my card|already)\b", text)
    level = _level_named(text)
    if level is not None and (holding or level.rank == 0) and not (wanting and not holding):
        return level.name
    return None


def _dives(text: str) -> int | None:
    dives = re.search(r"\b(\d{1,5})\+? (logged )?dives\b", text) or re.search(r"\blogged (\d{1,5})\b", text)
    if dives and re.search(r"\b(i|i've|ive|i have|i've done|done|logged|with)\b", text):
        return int(dives.group(1))
    return None


_LAST_DIVE = re.compile(
    rf"\b(?:last dived?|last dive was|last time i dived?|haven'?t dived? since|not dived since)\s+(?:in\s+)?"
    rf"((?:{_MONTHS})(?: \d{{4}})?|\d{{4}}|\d+ (?:years?|months?|weeks?) ago|last (?:year|month|summer|winter))"
)
_DATES = re.compile(
    rf"\b((?:in |from |between |around )?(?:early |mid |late |mid-|end of )?(?:{_MONTHS})(?:\s+\d{{4}})?"
    rf"(?:\s*(?:-|to|and|until)\s*(?:{_MONTHS}))?|next (?:week|month|year|yr|summer|winter|spring|autumn)|"
    rf"\d{{1,2}}(?:st|nd|rd|th)? (?:to|-) \d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}))\b"
)
_GROUP = re.compile(
    r"\b(?:we are|we're|group of|party of|there are|there will be)\s+(\d{1,2}|" + "|".join(_NUMBERS) + r")\b"
)
_COUPLE = re.compile(
    r"\b(my (wife|husband|partner|girlfriend|boyfriend|friend|buddy) and (i|me)|"
    r"(i|me) and my (wife|husband|partner|girlfriend|boyfriend|friend|buddy))\b"
)


def _travel_dates(text: str, destination: str | None) -> str | None:
    dates = _DATES.search(text)
    travelling = (
        destination
        or catalogue.destinations_in_country(text)
        or re.search(r"\b(trip|travel|go|going|visit|holiday|book)\b", text)
    )
    return dates.group(1).strip() if dates and travelling else None


def _group_size(text: str) -> int | None:
    group = _GROUP.search(text)
    if group:
        value = group.group(1)
        return int(value) if value.isdigit() else _NUMBERS[value]
    return 2 if _COUPLE.search(text) else None


def extract(message: str) -> dict[str, Any]:
    """Profile fields found in one message (only what was said; nothing guessed)."""
    text = normalise(message)
    last = _LAST_DIVE.search(text)
    destination = destination_in(text)
    found: dict[str, Any] = {
        "certification_level": _level(text),
        "certification_agency": next(
            (a for a in catalogue.load().agencies if re.search(rf"\b{a.lower()}\b", text)), None
        ),
        "logged_dives": _dives(text),
        "last_dive": last.group(1) if last else None,
        "interests": sorted(name for name, pattern in _INTERESTS.items() if re.search(pattern, text)) or None,
        "destination": destination,
        "travel_dates": _travel_dates(text, destination),
        "group_size": _group_size(text),
    }
    return {field: value for field, value in found.items() if value is not None}


def merge(profile: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """New facts win; interests accumulate, up to MAX_INTERESTS (this turn's are kept first): the
    session, its GET and any lead copying it stay bounded however many turns add them."""
    merged = {**profile, **{k: v for k, v in update.items() if k != "interests"}}
    if "interests" in update:
        new = sorted(set(update["interests"]))
        old = sorted(set(profile.get("interests", [])) - set(new))
        merged["interests"] = sorted([*new, *old][:MAX_INTERESTS])
    return merged
