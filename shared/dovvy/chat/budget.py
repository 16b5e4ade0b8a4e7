"""The daily budget of hosted-model tokens, global and per diver, counted in PostgreSQL. A diver is
their session on the web, and their Telegram account on Telegram (a new chat does not refill it).

When it is spent the diver still gets an answer: the offline composer's, from the same passages,
introduced politely (`agentType: "system"`); never an error. Tokens are estimated from the prompt
and the answer (the providers' own counts are not all reported the same way).
"""

from __future__ import annotations

import logging
from typing import Literal

from dovvy.config import Settings
from dovvy.db import counters
from dovvy.db.pool import Connection, Pool

log = logging.getLogger(__name__)

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
    def _keys(subject: str) -> tuple[str, str]:
        return "model-tokens:all", f"model-tokens:{subject}"

    def spent(self, subject: str) -> Literal["daily", "session"] | None:
        """Which budget is used up, if any (one read of two counters). `subject` is who the
        per-diver budget counts ("session:<id>", "telegram:<hashed user>")."""
        every, session = self._keys(subject)

        def read(conn: Connection) -> tuple[int, int]:
            return counters.current(conn, every, DAY), counters.current(conn, session, DAY)

        used_all, used_session = self.pool.run(read, transaction=False)
        if used_all >= self.settings.model_tokens_per_day:
            return "daily"
        if used_session >= self.settings.model_tokens_per_session_day:
            return "session"
        return None

    def charge(self, subject: str, tokens: int) -> None:
        every, session = self._keys(subject)
        bumps = [counters.Bump(every, DAY, tokens), counters.Bump(session, DAY, tokens)]
        counts = self.pool.run(lambda conn: counters.bump(conn, bumps))
        used = next(c.count for c in counts if c.key == every)
        # The budget alert reads the day's share spent from this line (no subject: whose it was is
        # personal, and the alert is about the whole deployment's allowance).
        fraction = round(used / max(1, self.settings.model_tokens_per_day), 4)
        log.info("model tokens charged", extra={"tokens": tokens, "budget_used_fraction": fraction})
