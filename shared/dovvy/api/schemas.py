"""Request bodies as the frontend sends them (camelCase, with snake_case accepted)."""

from __future__ import annotations

import re

from dovvy.conversation import STATE
from dovvy.diver import PROFILE
from dovvy.shape import AnyObject, OneOf, Shape, Text, Uuid, Whole

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


CREATE_SESSION = Shape(
    {"diver_profile": PROFILE}, not_null=frozenset({"diver_profile"}), camel=frozenset({"diver_profile"})
)

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

CREATE_LEAD = Shape(
    {
        "type": OneOf(tuple(LEAD_DATA)),
        "data": AnyObject(),
        "session_id": Uuid(),
        # A form field people never see (hidden by the page); anything in it, a space included,
        # was typed by a bot: it is read untrimmed.
        "website": Text(max_length=200),
    },
    required=frozenset({"type", "data"}),
    camel=frozenset({"session_id"}),
    untrimmed=frozenset({"website"}),
)

# Length is checked after trimming: "  hi  " is a 2-character message.
CHAT = Shape(
    {
        "message": Text(min_length=1, max_length=2000),
        "session_id": Uuid(),
        "diver_profile": PROFILE,
        "session_state": STATE,
    },
    required=frozenset({"message"}),
    camel=frozenset({"session_id", "diver_profile", "session_state"}),
)
