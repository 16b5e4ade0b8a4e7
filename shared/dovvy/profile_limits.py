"""How much of a diver profile a session keeps, for the schema, the merge and the SQL alike; no
pydantic here, so the session function can bound a profile without importing the schemas."""

from __future__ import annotations

# How many interests a profile keeps (the contract's maxItems); this turn's come first.
MAX_INTERESTS = 30
