"""`POST /api/leads`: the HTTP edge of taking a lead (`dovvy.lead_intake`): the body and its
Idempotency-Key read, the allowance spent, the answer written, the shop told after it is sent."""

from __future__ import annotations

import re
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dovvy import limits
from dovvy.api.schemas import CREATE_LEAD
from dovvy.errors import ValidationFailed
from dovvy.lead_fields import LEAD_DATA
from dovvy.lead_intake import LeadForm, take
from dovvy.notify import deliver
from dovvy.web.app import runtime_of
from dovvy.web.requests import read_body, validate

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            [
                {
                    "field": "header.Idempotency-Key",
                    "message": "must be 1-255 printable ASCII characters without spaces",
                    "type": "value_error",
                }
            ]
        )
    return key


async def create_lead(request: Request) -> Response:
    key = _idempotency_key(request)
    runtime = runtime_of(request)
    body = await read_body(request, CREATE_LEAD)
    shape = LEAD_DATA[body["type"]]
    # Every field, null when not given: what the replay fingerprint hashes.
    data: dict[str, Any] = dict.fromkeys(shape.fields) | validate(shape, body["data"], prefix=("data",))
    # Counted once the lead is one we would store (as in sessions): a refused body costs nothing.
    await run_in_threadpool(limits.enforce, runtime.pool, runtime.settings, request, "lead")
    form = LeadForm(
        type=body["type"],
        data=data,
        session_id=body.get("session_id"),
        honeypot=body.get("website"),
        idempotency_key=key,
        sender=None if key is not None else limits.client_identity(request, runtime.settings),
    )
    notifiers = runtime.notifiers
    taken = await run_in_threadpool(
        lambda: take(
            runtime.pool,
            form,
            dedupe_minutes=runtime.settings.lead_dedupe_minutes,
            notifying=bool(notifiers),
        )
    )
    # Runs after the response is sent; the row is committed already, so nothing is lost.
    task = BackgroundTask(deliver, runtime.pool, notifiers, taken.lead_id) if taken.notify else None
    return JSONResponse(
        {"success": True, "lead_id": str(taken.lead_id)},
        status_code=201,
        headers={} if taken.created else {"Idempotent-Replayed": "true"},
        background=task,
    )


routes = [Route("/api/leads", create_lead, methods=["POST"])]
