"""Reading request bodies: JSON parsing (400) and schema validation (422) with one call."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from dovvy.errors import MalformedJson, ValidationFailed
from dovvy.web.errors import validation_detail

M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request, *, optional: bool = False) -> Any:
    body = await request.body()
    if not body.strip():
        if optional:
            return None
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
