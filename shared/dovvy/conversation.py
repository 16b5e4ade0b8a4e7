"""The conversation state a web client keeps between turns (its `sessionState`), typed.

The DovvyBuddy web app keeps this small object in the browser, sends it with every chat message and
merges `metadata.state_updates` back into it; the session keeps a copy so a new browser gets it back.
Light to import: the session function returns it on its cold path.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, StrictBool

from dovvy.diver import Trimmed, valid_fields
from dovvy.profile_limits import MAX_ASKED_FOLLOW_UPS

# What `context_mode` means to the assistant; other values are kept but do not steer anything.
CONTEXT_MODES = ("learning", "planning", "briefing", "curiosity")

_Short = Annotated[str, Field(max_length=50)]


class ConversationState(Trimmed):
    """Every key optional, unknown keys ignored; a known key with the wrong type is a 422 naming it."""

    model_config = ConfigDict(extra="ignore")
    cert_level: _Short | None = None
    context_mode: _Short | None = None
    location_known: StrictBool | None = None
    conditions_known: StrictBool | None = None
    last_intent: _Short | None = None
    asked_follow_ups: list[Annotated[str, Field(max_length=300)]] | None = Field(
        default=None, max_length=MAX_ASKED_FOLLOW_UPS
    )

    def sent(self) -> dict[str, Any]:
        """The keys the client actually sent, with their values (null included)."""
        return self.model_dump(exclude_unset=True)


def stored_state(raw: Any) -> dict[str, Any]:
    """A state read back from the database, keeping only the keys that are still valid."""
    return valid_fields(ConversationState, raw, keep_null=True)
