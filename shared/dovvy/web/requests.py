"""Reading request bodies: media type (415), JSON parsing (400) and schema validation (422) with one
call.

A body must be declared JSON: a browser sends `text/plain` cross-site without a CORS preflight, so
accepting it would let any page create chats and leads in a visitor's name."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request

from dovvy.errors import MalformedJson, UnsupportedMediaType, ValidationFailed
from dovvy.web.errors import validation_detail

if TYPE_CHECKING:
    from pydantic import BaseModel

# pydantic is imported where a body is first validated, not at start-up (see api/sessions.py).
M = TypeVar("M", bound="BaseModel")


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


async def read_model(request: Request, model: type[M], *, optional: bool = False) -> M:
    """Parse and validate the body; an optional empty body validates as `{}`."""
    payload = await read_json(request, optional=optional)
    return validate(model, {} if payload is _NOTHING else payload)


def validate(model: type[M], payload: Any, prefix: tuple[str | int, ...] = ()) -> M:
    if not isinstance(payload, dict):
        raise ValidationFailed(
            [
                {
                    "field": "body",
                    "message": "Request body must be a JSON object",
                    "type": "dict_type",
                }
            ]
        )
    from pydantic import ValidationError

    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed(validation_detail(exc, prefix)) from None
