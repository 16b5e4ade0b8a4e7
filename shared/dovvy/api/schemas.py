"""Request bodies as the frontend sends them (camelCase, with snake_case accepted)."""

from __future__ import annotations

from dovvy.conversation import STATE
from dovvy.diver import PROFILE
from dovvy.lead_fields import LEAD_DATA
from dovvy.shape import AnyObject, OneOf, Shape, Text, Uuid

CREATE_SESSION = Shape(
    {"diver_profile": PROFILE}, not_null=frozenset({"diver_profile"}), camel=frozenset({"diver_profile"})
)

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
