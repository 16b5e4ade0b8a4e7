"""Reading request bodies: media type (415), JSON parsing (400) and schema validation (422) with one
call.

A body must be declared JSON: a browser sends `text/plain` cross-site without a CORS preflight, so
accepting it would let any page create chats and leads in a visitor's name."""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

from dovvy.errors import MalformedJson, UnsupportedMediaType, ValidationFailed
from dovvy.shape import Shape, ShapeError, checked


def is_json(content_type: str | None) -> bool:
    """application/json, or a JSON-based type such as application/merge-patch+json."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


_NOTHING = object()


async def read_json(request: Request, *, optional: bool = False) -> Any:
    """The parsed body; with `optional`, an empty body reads as `_NOTHING` (JSON `null` is a value)."""
    body = await request.body()
    if not body.strip() and optional:
        return _NOTHING  # nothing sent, nothing to declare
    if not is_json(request.headers.get("content-type")):
        raise UnsupportedMediaType()
    if not body.strip():
        raise ValidationFailed(
            [{"field": "body", "message": "A JSON request body is required", "type": "missing"}]
        )
    try:
        payload = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise MalformedJson(f"Request body is nested more than {MAX_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJson(f"Request body is not valid JSON: {exc}") from None
    _check_values(payload)
    return payload


# JSON nested deeper than this is refused (our bodies need four levels).
MAX_DEPTH = 32


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_values(payload: Any) -> None:
    """What JSON allows but PostgreSQL cannot store: infinite numbers (1e999), NUL characters and
    lone surrogates in any string or key; and nesting deeper than MAX_DEPTH."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(payload, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise MalformedJson(f"Request body is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, float) and not math.isfinite(value):
            raise MalformedJson("Request body holds a number too large to represent")
        if isinstance(value, str):
            _check_text(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, (*path, key))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(value))


def _check_text(text: str, path: tuple[str, ...]) -> None:
    field = ".".join(path) or "body"
    if "\x00" in text:
        raise ValidationFailed(
            [{"field": field, "message": "must not contain NUL characters", "type": "string_nul"}]
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationFailed(
            [
                {
                    "field": field,
                    "message": "must be valid Unicode (a lone surrogate)",
                    "type": "string_unicode",
                }
            ]
        ) from None


async def read_body(request: Request, shape: Shape, *, optional: bool = False) -> dict[str, Any]:
    """Parse and check the body; an optional empty body checks as `{}`."""
    payload = await read_json(request, optional=optional)
    return validate(shape, {} if payload is _NOTHING else payload)


def validate(shape: Shape, payload: Any, prefix: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """The body's fields, checked (see `dovvy.shape.checked`); a 422 naming every problem."""
    if not isinstance(payload, dict):
        raise ValidationFailed(
            [
                {
                    "field": ".".join(map(str, prefix)) or "body",
                    "message": "Request body must be a JSON object" if not prefix else "must be an object",
                    "type": "dict_type",
                }
            ]
        )
    try:
        return checked(shape, payload, prefix)
    except ShapeError as exc:
        raise ValidationFailed(exc.problems) from None
