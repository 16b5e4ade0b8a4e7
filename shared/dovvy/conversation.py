"""The conversation state a web client keeps between turns (its `sessionState`), as a shape.

The DovvyBuddy web app keeps this small object in the browser, sends it with every chat message and
merges `metadata.state_updates` back into it; the session keeps a copy so a new browser gets it back.
Light to import: the session function returns it on its cold path.
"""

from __future__ import annotations

from typing import Any

from dovvy.profile_limits import MAX_ASKED_FOLLOW_UPS
from dovvy.shape import Flag, ListOf, Shape, Text, valid_part

_SHORT = Text(max_length=50)

# Every key optional, unknown keys ignored; a known key with the wrong type is a 422 naming it.
# A checked state holds the keys the client sent, with their values (null included).
STATE = Shape(
    {
        "cert_level": _SHORT,
        "context_mode": _SHORT,
        "location_known": Flag(),
        "conditions_known": Flag(),
        "last_intent": _SHORT,
        "asked_follow_ups": ListOf(Text(max_length=300), max_items=MAX_ASKED_FOLLOW_UPS),
    },
    extra="ignore",
)


def stored_state(raw: Any) -> dict[str, Any]:
    """A state read back from the database, keeping only the keys that are still valid."""
    return valid_part(STATE, raw)


# A checked state as the chat turn carries it: the STATE keys known, with their values.
ConversationState = dict[str, Any]
