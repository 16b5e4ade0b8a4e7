"""The daily budget of hosted-model tokens, global and per session, counted in PostgreSQL.

When it is spent the diver still gets an answer: the offline composer's, from the same passages,
introduced politely (`agentType: "system"`); never an error. Tokens are estimated from the prompt
and the answer (the providers' own counts are not all reported the same way).
"""

from __future__ import annotations

import uuid
from typing import Literal

from dovvy.config import Settings
from dovvy.db import counters
from dovvy.db.pool import Connection, Pool

DAY = 86_400
NOTICE = (
    "DovvyBuddy has used today's allowance of AI-written answers, so this one is put together "
    "directly from the knowledge base:"
)


class ModelBudget:
    def __init__(self, pool: Pool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings

    @staticmethod
    def _keys(session_id: uuid.UUID) -> tuple[str, str]:
        return "model-tokens:all", f"model-tokens:session:{session_id}"

    def spent(self, session_id: uuid.UUID) -> Literal["daily", "session"] | None:
        """Which budget is used up, if any (one read of two counters)."""
        every, session = self._keys(session_id)

        def read(conn: Connection) -> tuple[int, int]:
            return counters.current(conn, every, DAY), counters.current(conn, session, DAY)

        used_all, used_session = self.pool.run(read, transaction=False)
        if used_all >= self.settings.model_tokens_per_day:
            return "daily"
        if used_session >= self.settings.model_tokens_per_session_day:
            return "session"
        return None

    def charge(self, session_id: uuid.UUID, tokens: int) -> None:
        every, session = self._keys(session_id)
        bumps = [counters.Bump(every, DAY, tokens), counters.Bump(session, DAY, tokens)]
        self.pool.run(lambda conn: counters.bump(conn, bumps))
