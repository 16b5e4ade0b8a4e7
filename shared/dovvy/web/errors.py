"""The one place where exceptions become HTTP responses of the shape {"detail": ..., "code": ...}."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dovvy.errors import (
    ApiError,
    BadRequest,
    ConfigError,
    DatabaseUnavailable,
    IdempotencyKeyReused,
    MalformedJson,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    SessionExpired,
    SessionNotFound,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


# The one table from an error's kind to its HTTP status and stable code (openapi.yaml lists the
# codes). Read along the class's MRO: a kind without its own row answers as its parent.
HTTP_OF: dict[type[ApiError], tuple[int, str]] = {
    ApiError: (500, "INTERNAL_ERROR"),
    BadRequest: (400, "BAD_REQUEST"),
    MalformedJson: (400, "MALFORMED_JSON"),
    Unauthorized: (401, "UNAUTHORIZED"),
    NotFound: (404, "NOT_FOUND"),
    SessionNotFound: (404, "SESSION_NOT_FOUND"),
    IdempotencyKeyReused: (409, "IDEMPOTENCY_KEY_REUSED"),
    SessionExpired: (410, "SESSION_EXPIRED"),
    PayloadTooLarge: (413, "PAYLOAD_TOO_LARGE"),
    UnsupportedMediaType: (415, "UNSUPPORTED_MEDIA_TYPE"),
    ValidationFailed: (422, "VALIDATION_ERROR"),
    RateLimited: (429, "RATE_LIMITED"),
}


def http_of(exc: ApiError) -> tuple[int, str]:
    return next(HTTP_OF[kind] for kind in type(exc).__mro__ if kind in HTTP_OF)


def error_response(status: int, detail: Any, code: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    status, code = http_of(exc)
    return error_response(status, exc.detail, code, headers=exc.headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in {204, 304}:
        return Response(status_code=exc.status_code, headers=exc.headers)
    code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    detail = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, exc.detail)
    return error_response(exc.status_code, detail, code, headers=exc.headers)


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    log.error("database unavailable", extra={"reason": str(exc)})
    return error_response(
        503,
        "The database is unavailable; please retry shortly",
        "DATABASE_UNAVAILABLE",
        headers={"Retry-After": "5"},
    )


async def _config_error(request: Request, exc: Exception) -> Response:
    # Names the variable (a secret that cannot be read, say), never a value; the client learns only
    # that the service is misconfigured.
    log.error("configuration error", extra={"reason": str(exc)})
    detail = "The service is not configured correctly; please try again later"
    return error_response(503, detail, "CONFIG_ERROR")


EXCEPTION_HANDLERS = {
    ApiError: _api_error,
    HTTPException: _http_exception,
    DatabaseUnavailable: _database_unavailable,
    ConfigError: _config_error,
}
