"""What a warm container keeps between invocations: settings, the database pool, provider clients.

Building a Runtime is cheap and opens nothing; each resource is created on first use and reused.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from dovvy.config import Settings
from dovvy.errors import ConfigError

if TYPE_CHECKING:
    from dovvy.db.pool import Pool
    from dovvy.notify import LeadNotifier


class Runtime:
    def __init__(self, settings: Settings, *, pool: Pool | None = None) -> None:
        self.settings = settings
        self._pool = pool
        self._notifiers: list[LeadNotifier] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> Runtime:
        return cls(Settings.from_env())

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = self._make_pool()
        return self._pool

    @property
    def notifiers(self) -> list[LeadNotifier]:
        if self._notifiers is None:
            from dovvy.notify import build_notifiers

            self._notifiers = build_notifiers(self.settings)
        return self._notifiers

    def _make_pool(self) -> Pool:
        from dovvy.db.pool import Pool
        from dovvy.db.url import parse_database_url

        if self.settings.database_url is None:
            raise ConfigError("DATABASE_URL is not set")
        return Pool(
            parse_database_url(self.settings.database_url.reveal()),
            max_size=self.settings.db_pool_size,
            ping_after_seconds=self.settings.db_ping_after_seconds,
            connect_timeout=self.settings.db_connect_timeout_seconds,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
