"""`POST /api/leads`: store a training or trip enquiry, then tell the dive shop."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dovvy import limits
from dovvy.api.schemas import CREATE_LEAD, LEAD_DATA
from dovvy.db import leads as repo
from dovvy.db import sessions as sessions_repo
from dovvy.db.pool import Connection
from dovvy.diver import stored_profile
from dovvy.errors import IdempotencyKeyReused, ValidationFailed
from dovvy.notify import deliver
from dovvy.web.app import runtime_of
from dovvy.web.requests import read_body, validate

log = logging.getLogger(__name__)

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
    if body.get("website"):
        # The honeypot was filled in: answer as if stored, so the bot learns nothing; keep nothing.
        log.info("lead honeypot filled; nothing stored")
        return JSONResponse({"success": True, "lead_id": str(uuid.uuid4())}, status_code=201)
    details = {k: v for k, v in data.items() if k not in {"name", "email", "phone"} and v is not None}
    # What a replay must match. With an Idempotency-Key, the same body (a client retrying may have
    # moved networks); without one, the same body from the same client: another sender's request
    # never returns (or suppresses) this one's lead, and new content is always a new lead.
    sender = None if key is not None else limits.client_identity(request, runtime.settings)
    fingerprint = hashlib.sha256(
        json.dumps(
            {
                "type": body["type"],
                "data": data,
                "session_id": str(body.get("session_id")),
                "sender": sender,
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    notifiers = runtime.notifiers

    def store(conn: Connection) -> tuple[repo.LeadRecord, bool]:
        # Locked for reference: a session deleted at this moment either goes first (no link) or
        # waits for this lead, and its ON DELETE SET NULL then unlinks it; never a foreign-key error.
        session_id = body.get("session_id")
        session = sessions_repo.get_live(conn, session_id, for_reference=True) if session_id else None
        return repo.insert(
            conn,
            repo.NewLead(
                type=body["type"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                request_details=details,
                # A copy within the profile's bounds, even of a row written before them.
                diver_profile=stored_profile(session.diver_profile) if session else None,
                session_id=session.id if session else None,
                idempotency_key=key,
                request_hash=fingerprint,
                notification_status="pending" if notifiers else "skipped",
            ),
            dedupe_minutes=runtime.settings.lead_dedupe_minutes,
        )

    lead, created = await run_in_threadpool(runtime.pool.run, store)
    if not created and key is not None and lead.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    if not created:
        log.info("lead request replayed", extra={"lead_id": str(lead.id), "keyed": key is not None})
    task = None
    if created and notifiers:
        # Runs after the response is sent; the row is committed already, so nothing is lost.
        task = BackgroundTask(deliver, runtime.pool, notifiers, lead.id)
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return JSONResponse(
        {"success": True, "lead_id": str(lead.id)},
        status_code=201,
        headers=headers,
        background=task,
    )


routes = [Route("/api/leads", create_lead, methods=["POST"])]
