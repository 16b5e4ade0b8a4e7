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


def extract(message: str) -> dict[str, Any]:
    """Profile fields found in one message (only what was said; nothing guessed)."""
    text = normalise(message)
    found: dict[str, Any] = {}
    # A level the diver holds, not one they ask about or want to take.
    wanting = re.search(
        r"\b(want|like|sign|book|take|taking|do|doing|become|learn|interested|enrol\w*|start)\b", text
    )
    holding = re.search(r"\b(i'?m|i am|i have|i've|i got|got my|i hold|certified|my card|already)\b", text)
    level = _level_named(text)
    if level is not None and (holding or level.rank == 0) and not (wanting and not holding):
        found["certification_level"] = level.name
    agency = next((a for a in catalogue.load().agencies if re.search(rf"\b{a.lower()}\b", text)), None)
    if agency:
        found["certification_agency"] = agency
    dives = re.search(r"\b(\d{1,5})\+? (logged )?dives\b", text) or re.search(r"\blogged (\d{1,5})\b", text)
    if dives and re.search(r"\b(i|i've|ive|i have|i've done|done|logged|with)\b", text):
        found["logged_dives"] = int(dives.group(1))
    last = re.search(
        rf"\b(?:last dived?|last dive was|last time i dived?|haven'?t dived? since|not dived since)\s+(?:in\s+)?"
        rf"((?:{_MONTHS})(?: \d{{4}})?|\d{{4}}|\d+ (?:years?|months?|weeks?) ago|last (?:year|month|summer|winter))",
        text,
    )
    if last:
        found["last_dive"] = last.group(1)
    interests = sorted(name for name, pattern in _INTERESTS.items() if re.search(pattern, text))
    if interests:
        found["interests"] = interests
    destination = destination_in(text)
    if destination:
        found["destination"] = destination
    dates = re.search(
        rf"\b((?:in |from |between |around )?(?:early |mid |late |mid-|end of )?(?:{_MONTHS})(?:\s+\d{{4}})?"
        rf"(?:\s*(?:-|to|and|until)\s*(?:{_MONTHS}))?|next (?:week|month|year|summer|winter|spring|autumn)|"
        rf"\d{{1,2}}(?:st|nd|rd|th)? (?:to|-) \d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}))\b",
        text,
    )
    travelling = found.get("destination") or re.search(r"\b(trip|travel|go|going|visit|holiday|book)\b", text)
    if dates and travelling:
        found["travel_dates"] = dates.group(1).strip()
    group = re.search(
        r"\b(?:we are|we're|group of|party of|there are|there will be)\s+(\d{1,2}|"
        + "|".join(_NUMBERS)
        + r")\b",
        text,
    )
    if group:
        value = group.group(1)
        found["group_size"] = int(value) if value.isdigit() else _NUMBERS[value]
    elif re.search(
        r"\b(my (wife|husband|partner|girlfriend|boyfriend|friend|buddy) and (i|me)|(i|me) and my (wife|husband|partner|girlfriend|boyfriend|friend|buddy))\b",
        text,
    ):
        found["group_size"] = 2
    return found


def merge(profile: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """New facts win; interests accumulate, up to MAX_INTERESTS (this turn's are kept first): the
    session, its GET and any lead copying it stay bounded however many turns add them."""
    merged = {**profile, **{k: v for k, v in update.items() if k != "interests"}}
    if "interests" in update:
        new = sorted(set(update["interests"]))
        old = sorted(set(profile.get("interests", [])) - set(new))
        merged["interests"] = sorted([*new, *old][:MAX_INTERESTS])
    return merged
