"""`/api/sessions`: create, read and erase a guest conversation."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dovvy import limits
from dovvy.api.schemas import CREATE_SESSION
from dovvy.db import sessions as repo
from dovvy.diver import kept, stored_profile
from dovvy.errors import SessionNotFound
from dovvy.web.app import runtime_of
from dovvy.web.requests import read_body


def session_json(session: repo.SessionRecord) -> dict[str, Any]:
    from dovvy.conversation import stored_state

    # Read as stored rows are read everywhere: a row written before a bound (20,000 interests)
    # answers within the contract.
    return {
        "id": str(session.id),
        "conversation_history": session.conversation_history,
        "diver_profile": stored_profile(session.diver_profile),
        "conversation_state": stored_state(session.conversation_state),
        "created_at": session.created_at.isoformat(),
        "updated_at": session.updated_at.isoformat(),
        "expires_at": session.expires_at.isoformat(),
    }


def parse_session_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        # A malformed id is as unknown as a missing one: same answer, nothing to probe.
        raise SessionNotFound() from None


async def create_session(request: Request) -> Response:
    runtime = runtime_of(request)
    body = await read_body(request, CREATE_SESSION, optional=True)
    profile = kept(body.get("diver_profile") or {})
    # Counted once the request is one we would serve: a refused body never spends an allowance
    # (cross-site text/plain posts need no preflight and could otherwise lock a visitor out).
    await run_in_threadpool(limits.enforce, runtime.pool, runtime.settings, request, "session")
    hours = runtime.settings.session_expiry_hours
    # One statement: no explicit transaction, one round trip instead of three.
    session = await run_in_threadpool(
        runtime.pool.run,
        lambda conn: repo.create(conn, diver_profile=profile, expiry_hours=hours),
        transaction=False,
    )
    return JSONResponse(
        session_json(session),
        status_code=201,
        headers={"Location": f"/api/sessions/{session.id}"},
    )


async def get_session(request: Request) -> Response:
    session_id = parse_session_id(request.path_params["session_id"])
    runtime = runtime_of(request)
    session = await run_in_threadpool(
        runtime.pool.run, lambda conn: repo.require_live(conn, session_id), transaction=False
    )
    return JSONResponse(session_json(session))


async def delete_session(request: Request) -> Response:
    session_id = parse_session_id(request.path_params["session_id"])
    runtime = runtime_of(request)
    deleted = await run_in_threadpool(runtime.pool.run, lambda conn: repo.delete(conn, session_id))
    if not deleted:
        raise SessionNotFound()
    return Response(status_code=204)


async def session_item(request: Request) -> Response:
    # One route for the path, so a 405 lists every method it has (Allow: GET, HEAD, DELETE).
    return await (delete_session if request.method == "DELETE" else get_session)(request)


routes = [
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions/{session_id}", session_item, methods=["GET", "DELETE"]),
]
