"""The function apps: which routes each deployable function serves. Every app also answers health."""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from dovvy import error_tracking, logs
from dovvy.runtime import Runtime


def _session_routes() -> list[BaseRoute]:
    from dovvy.api import sessions

    return list(sessions.routes)


def _lead_routes() -> list[BaseRoute]:
    from dovvy.api import leads

    return list(leads.routes)


def _chat_routes() -> list[BaseRoute]:
    from dovvy.api import chat

    # The chat machinery and the catalogue load with the first message, not at start-up: a cold
    # container answering /health or a preflight first does not pay for them. A broken catalogue
    # file still cannot ship: `make package` loads it before building a bundle, and the tests do.
    return list(chat.routes)


def _telegram_routes() -> list[BaseRoute]:
    from dovvy.api import telegram

    return list(telegram.routes)


HTTP_FUNCTIONS: dict[str, Callable[[], list[BaseRoute]]] = {
    "session": _session_routes,
    "lead": _lead_routes,
    "chat": _chat_routes,
    "telegram": _telegram_routes,
}


def create_function_app(name: str, runtime: Runtime | None = None) -> Starlette:
    from dovvy.api import health
    from dovvy.web.app import create_app

    # Logging and error reports are wiring: every deployed function honours LOG_LEVEL and
    # SENTRY_DSN, and its lines and reports carry the request id, not only the CLI's.
    if runtime is None:
        runtime = Runtime.for_function(name)
    else:
        logs.configure(runtime.settings.log_level, function=name)
        error_tracking.configure(runtime.settings)
    return create_app([*health.routes, *HTTP_FUNCTIONS[name]()], runtime, function=name)
