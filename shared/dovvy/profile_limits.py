"""How much of a diver profile and a conversation state a session keeps, for the schemas, the
merges and the SQL alike; no pydantic here, so the session function can bound them without
importing the schemas."""

from __future__ import annotations

# How many interests a profile keeps (the contract's maxItems); this turn's come first.
MAX_INTERESTS = 30
# How many asked follow-ups a conversation state keeps (the contract's maxItems); the newest.
MAX_ASKED_FOLLOW_UPS = 100
