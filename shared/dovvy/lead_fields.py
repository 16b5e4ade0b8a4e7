"""What a lead holds, per type, whatever channel it comes through (the API's body, the Telegram
bot's questions): the same fields, checked the same way. Light to import: the lead and session
functions load it on their cold path."""

from __future__ import annotations

import re

from dovvy.shape import Shape, Text, Whole

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("is not a valid email address")
    return value


def _one_line(value: str) -> str:
    """Line breaks and other control characters folded to spaces: these fields become single
    lines of the shop's e-mail, where a CR/LF would forge a header or a line of its own."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", value).split())


def _line(max_length: int, min_length: int = 0) -> Text:
    return Text(max_length=max_length, min_length=min_length, then=_one_line)


_CONTACT = {
    "name": _line(100, min_length=1),
    "email": Text(then=_email),
    "phone": _line(20),
    "message": Text(max_length=2000),
}
_REQUIRED_CONTACT = frozenset({"name", "email"})

LEAD_DATA = {
    "training": Shape(
        {
            **_CONTACT,
            "certification_level": _line(50),
            "interested_certification": _line(50),
            "preferred_location": _line(100),
        },
        required=_REQUIRED_CONTACT,
    ),
    "trip": Shape(
        {
            **_CONTACT,
            "destination": _line(100),
            "travel_dates": _line(100),
            "group_size": Whole(ge=1, le=50),
            "budget": _line(50),
        },
        required=_REQUIRED_CONTACT,
    ),
}
