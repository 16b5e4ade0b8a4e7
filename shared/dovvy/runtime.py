"""What a warm container keeps between invocations: settings, the database pool, provider clients.

Building a Runtime is cheap and opens nothing; each resource is created on first use and reused.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from dovvy.config import Settings
from dovvy.errors import ConfigError

if TYPE_CHECKING:
    from dovvy.chat.orchestrator import ChatService
    from dovvy.db.pool import Pool
    from dovvy.knowledge.retrieval import Retriever
    from dovvy.notify import LeadNotifier
    from dovvy.providers.embeddings import Embedder
    from dovvy.providers.llm import FallbackChain
    from dovvy.sessions import Sessions
    from dovvy.telegram.bot import TelegramBot


class Runtime:
    def __init__(self, settings: Settings, *, pool: Pool | None = None) -> None:
        self.settings = settings
        self._pool = pool
        self._notifiers: list[LeadNotifier] | None = None
        self._embedder: Embedder | None = None
        self._retriever: Retriever | None = None
        self._llm: FallbackChain | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> Runtime:
        return cls(Settings.from_env())

    @classmethod
    def for_function(cls, name: str) -> Runtime:
        """A deployed function's runtime, with its logs set up and named after it; refuses to start
        (ConfigError naming the variable) when its configuration could not work."""
        from dovvy import error_tracking, logs, needs

        runtime = cls.from_env()
        logs.configure(runtime.settings.log_level, function=name)
        error_tracking.configure(runtime.settings)
        needs.check(runtime.settings, name)
        return runtime

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

    @property
    def embedder(self) -> Embedder:
        """The configured embedder, with query embeddings cached for the container's lifetime."""
        if self._embedder is None:
            from dovvy.providers.embeddings import QueryCache, create_embedder

            self._embedder = QueryCache(create_embedder(self.settings))
        return self._embedder

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            from dovvy.knowledge.retrieval import Retriever

            self._retriever = Retriever(self.pool, self.embedder)
        return self._retriever

    @property
    def llm(self) -> FallbackChain:
        """Configured providers in order, ending with the offline composer."""
        if self._llm is None:
            from dovvy.providers.llm import create_llm

            self._llm = create_llm(self.settings)
        return self._llm

    @llm.setter
    def llm(self, chain: FallbackChain) -> None:
        self._llm = chain

    def _make_pool(self) -> Pool:
        from dovvy.db.pool import Pool
        from dovvy.db.url import parse_database_url

        if self.settings.database_url is None:
            raise ConfigError("DATABASE_URL is not set")
        return Pool(
            parse_database_url(self.settings.database_url.reveal(), ca_cert=self.settings.database_ca_cert),
            max_size=self.settings.db_pool_size,
            ping_after_seconds=self.settings.db_ping_after_seconds,
            timeout=self.settings.db_timeout_seconds,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


def sessions(runtime: Runtime) -> Sessions:
    """Guest sessions in this container's database, expiring as configured."""
    from dovvy.sessions import Sessions

    return Sessions(runtime.pool, expiry_hours=runtime.settings.session_expiry_hours)


def telegram_bot(runtime: Runtime) -> TelegramBot:
    """The Telegram bot wired to this container's chat service, sessions and Bot API client."""
    from dovvy.telegram.bot import TelegramBot
    from dovvy.telegram_api import BotApi

    settings = runtime.settings
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    return TelegramBot(
        chat=chat_service(runtime),
        sessions=sessions(runtime),
        pool=runtime.pool,
        api=BotApi(settings.telegram_bot_token, base_url=settings.telegram_api_base_url),
        settings=settings,
        notifiers=runtime.notifiers,
    )


def chat_service(runtime: Runtime) -> ChatService:
    """The chat pipeline wired to this container's pool, retriever and model chain."""
    from dovvy.chat.budget import ModelBudget
    from dovvy.chat.orchestrator import ChatService
    from dovvy.chat.store import Library

    return ChatService(
        settings=runtime.settings,
        sessions=sessions(runtime),
        library=Library(runtime.pool, runtime.retriever),
        llm=runtime.llm,
        budget=ModelBudget(runtime.pool, runtime.settings),
    )
