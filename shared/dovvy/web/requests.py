"""Reading request bodies: media type (415), JSON parsing (400) and schema validation (422) with one
call.

A body must be declared JSON: a browser sends `text/plain` cross-site without a CORS preflight, so
accepting it would let any page create chats and leads in a visitor's name."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from dovvy.errors import MalformedJson, UnsupportedMediaType, ValidationFailed
from dovvy.web.errors import validation_detail

M = TypeVar("M", bound=BaseModel)


def is_json(content_type: str | None) -> bool:
    """application/json, or a JSON-based type such as application/merge-patch+json."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def read_json(request: Request, *, optional: bool = False) -> Any:
    body = await request.body()
    if not body.strip() and optional:
        return None  # nothing sent, nothing to declare
    if not is_json(request.headers.get("content-type")):
        raise UnsupportedMediaType()
    if not body.strip():
        raise ValidationFailed(
            [{"field": "body", "message": "A JSON request body is required", "type": "missing"}]
        )
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJson(f"Request body is not valid JSON: {exc}") from None


async def read_model(request: Request, model: type[M], *, optional: bool = False) -> M:
    """Parse and validate the body; an optional empty body validates as `{}`."""
    payload = await read_json(request, optional=optional)
    return validate(model, {} if payload is None else payload)


def validate(model: type[M], payload: Any) -> M:
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
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed(validation_detail(exc)) from None
