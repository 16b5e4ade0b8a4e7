"""Typed errors, raised by the domain, the repositories and the edges alike. None of them knows HTTP:
`web.errors` holds the one table from each kind to its status and stable `code`."""

from __future__ import annotations

from typing import Any


class ConfigError(Exception):
    """The configuration is unusable; raised at start-up and names the variable at fault."""


class DatabaseUnavailable(Exception):
    """The database could not be reached (after a reconnect attempt)."""


class ApiError(Exception):
    """An error the client is told about: `detail` is safe to send back."""

    default_detail = "Internal server error"

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None) -> None:
        self.detail = self.default_detail if detail is None else detail
        self.headers = headers
        super().__init__(self.detail)


class BadRequest(ApiError):
    default_detail = "Bad request"


class MalformedJson(BadRequest):
    default_detail = "Request body is not valid JSON"


class Unauthorized(ApiError):
    default_detail = "Not authorised"


class NotFound(ApiError):
    default_detail = "Not found"


class SessionNotFound(NotFound):
    default_detail = "Session not found"


class SessionExpired(ApiError):
    """The session existed and has expired (the row is kept until the purge): the client should start
    a new one. Distinct from SESSION_NOT_FOUND so a client can tell the diver why."""

    default_detail = "Session expired; start a new one"


class UnsupportedMediaType(ApiError):
    default_detail = "Send the request body as JSON with Content-Type: application/json"


class IdempotencyKeyReused(ApiError):
    default_detail = "This Idempotency-Key was already used with a different request body"


class PayloadTooLarge(ApiError):
    default_detail = "Request body is too large"


class RateLimited(ApiError):
    """Over an abuse limit; carries Retry-After and the RateLimit-* headers."""

    default_detail = "Too many requests; try again later"


class ValidationFailed(ApiError):
    """A body or header that does not have its shape; `detail` is a list of {"field", "message",
    "type"} items: at most MAX_PROBLEMS of them,
    each text printable (a field named by the client may hold a lone surrogate, which no JSON
    encoder can write) and short, so a body of a thousand unknown keys gets a small answer."""

    default_detail = "Request validation failed"
    MAX_PROBLEMS = 20

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None) -> None:
        if isinstance(detail, list):
            shown = [_printable(item) for item in detail[: self.MAX_PROBLEMS]]
            if len(detail) > self.MAX_PROBLEMS:
                more = len(detail) - self.MAX_PROBLEMS
                shown.append({"field": "body", "message": f"and {more} more problems", "type": "too_many"})
            detail = shown
        super().__init__(detail, headers=headers)


def _printable(item: Any, limit: int = 200) -> Any:
    """Client-named text made safe to send back: lone surrogates escaped, long text cut."""
    if isinstance(item, dict):
        return {key: _printable(value, limit) for key, value in item.items()}
    if isinstance(item, str):
        text = item.encode("utf-8", "backslashreplace").decode("utf-8")
        return text if len(text) <= limit else text[: limit - 1] + "…"
    return item
