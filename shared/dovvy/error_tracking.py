"""Optional error reports to Sentry, off unless SENTRY_DSN is set.

A report carries what a log line may carry (logs.py) and nothing else: the error's kind and
SQLSTATE, its frames (file, function, line), the function, the request id and the route with ids
replaced. Never the error's text, a body, a header, a cookie, a query string, a local variable, a
user or a breadcrumb. Each event is rebuilt from the fields named here rather than stripped of
the ones known to be personal, so a field a later SDK adds is left out until someone keeps it.

With SENTRY_DSN unset nothing from sentry_sdk is imported: a function that does not report pays
nothing for this at cold start.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from dovvy import logs

if TYPE_CHECKING:
    from sentry_sdk._types import Event, Hint

    from dovvy.config import Settings

P = ParamSpec("P")
R = TypeVar("R")

# How long a finished request or event waits for its report to leave: a Lambda is frozen, and a
# Cloud Run instance throttled, once it has answered, and a report still queued then may never go.
FLUSH_SECONDS = 2.0

_EVENT_FIELDS = frozenset(
    (
        *("event_id", "timestamp", "start_timestamp", "level", "platform", "sdk", "type"),
        *("environment", "release", "dist", "transaction", "transaction_info"),
    )
)
_TAGS = frozenset(("function", "request_id", "route"))
_CONTEXTS = {
    "trace": frozenset(("trace_id", "span_id", "parent_span_id", "op", "status", "origin")),
    "runtime": frozenset(("name", "version")),
}
_EXCEPTION_FIELDS = frozenset(("type", "module"))
_MECHANISM_FIELDS = frozenset(("type", "handled", "exception_id", "parent_id", "is_exception_group"))
# Lines of our code and our libraries' (not their values): what makes a frame readable.
_FRAME_FIELDS = frozenset(
    ("filename", "module", "function", "lineno", "in_app", "context_line", "pre_context", "post_context")
)


class _State:
    enabled = False
    tracing = False


def configure(settings: Settings) -> None:
    """Start reporting, once per process, when SENTRY_DSN is set; otherwise do nothing at all."""
    if settings.sentry_dsn is None or _State.enabled:
        return
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.environment,
        # Unset, the SDK guesses (SENTRY_RELEASE, the git revision, Cloud Run's K_REVISION).
        release=settings.release,
        sample_rate=settings.sentry_sample_rate,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        # No integration: each would import its library, and the logging one sends log messages.
        # Reports are made by `capture` where an error becomes a 500 or fails an event.
        default_integrations=False,
        auto_enabling_integrations=False,
        auto_session_tracking=False,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        before_send=scrub,
        before_send_transaction=scrub,
    )
    _State.enabled = True
    _State.tracing = settings.sentry_traces_sample_rate > 0


def stop() -> None:
    """Deliver what is queued and stop reporting (a process that reports to one place, then to
    another: the tests, each with its own fake Sentry)."""
    if _State.enabled:
        import sentry_sdk

        sentry_sdk.get_client().close(timeout=FLUSH_SECONDS)
        sentry_sdk.get_global_scope().set_client(None)
        _State.enabled = _State.tracing = False


def enabled() -> bool:
    return _State.enabled


def _tags(route: str | None) -> dict[str, str]:
    found = {"function": logs.current_function(), "request_id": logs.request_id.get(), "route": route}
    return {key: value for key, value in found.items() if value}


def route_of(method: object, path: object) -> str:
    return f"{method} {logs.safe_path(str(path))}"


def capture(exc: BaseException, route: str | None = None) -> None:
    """Report an error nobody handled; nothing when reporting is off."""
    if _State.enabled:
        import sentry_sdk

        sentry_sdk.capture_exception(exc, tags=_tags(route))


def flush() -> None:
    """Wait (at most FLUSH_SECONDS) for queued reports to be sent."""
    if _State.enabled:
        import sentry_sdk

        sentry_sdk.flush(timeout=FLUSH_SECONDS)


async def flush_from_async() -> None:
    """`flush` for async code: on a worker thread, so the event loop goes on serving meanwhile."""
    if _State.enabled:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(flush)


def traced(route: str) -> AbstractContextManager[object]:
    """One request as a performance transaction, named by its route, when tracing is on."""
    if not _State.tracing:
        return nullcontext()
    import sentry_sdk

    transaction = sentry_sdk.start_transaction(op="http.server", name=route, source="route")
    for key, value in _tags(route).items():
        transaction.set_tag(key, value)
    return transaction


def reporting(handle: Callable[P, R]) -> Callable[P, R]:
    """`handle` (an event function's handler), reporting an error before the platform sees it."""

    @functools.wraps(handle)
    def reported(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handle(*args, **kwargs)
        except Exception as exc:
            capture(exc)
            flush()
            raise

    return reported


def scrub(event: Event, hint: Hint) -> Event | None:
    """The event rebuilt from the fields this module keeps (it runs on every report, so it is where
    the rules hold)."""
    kept: dict[str, Any] = {key: value for key, value in event.items() if key in _EVENT_FIELDS}
    tags = {key: str(value) for key, value in event.get("tags", {}).items() if key in _TAGS}
    if tags:
        kept["tags"] = tags
    contexts = event.get("contexts", {})
    kept["contexts"] = {
        name: {key: value for key, value in contexts[name].items() if key in fields}
        for name, fields in _CONTEXTS.items()
        if name in contexts
    }
    if "exception" in event:
        error = hint.get("exc_info", (None, None, None))[1]
        states = _sqlstates(error) if isinstance(error, BaseException) else {}
        values = [_exception(value, states) for value in event["exception"].get("values", [])]
        kept["exception"] = {"values": values}
    return cast("Event", kept)


def _sqlstates(error: BaseException) -> dict[str, str]:
    """Each error of the chain by kind, with its SQLSTATE as its only text (logs.sqlstate)."""
    states: dict[str, str] = {}
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = logs.sqlstate(current)
        states.setdefault(type(current).__name__, f"SQLSTATE {state}" if state else "")
        current = current.__cause__ or current.__context__
    return states


def _exception(value: dict[str, Any], states: dict[str, str]) -> dict[str, Any]:
    kept = {key: value[key] for key in _EXCEPTION_FIELDS if key in value}
    kept["value"] = states.get(str(value.get("type")), "")
    mechanism = value.get("mechanism")
    if isinstance(mechanism, dict):
        kept["mechanism"] = {key: mechanism[key] for key in _MECHANISM_FIELDS if key in mechanism}
    frames = (value.get("stacktrace") or {}).get("frames", [])
    kept["stacktrace"] = {"frames": [{k: f[k] for k in _FRAME_FIELDS if k in f} for f in frames]}
    return kept
