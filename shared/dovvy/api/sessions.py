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
from dovvy.db.sessions import SessionRecord
from dovvy.diver import kept
from dovvy.errors import SessionNotFound
from dovvy.runtime import sessions
from dovvy.web.app import runtime_of
from dovvy.web.requests import read_body


def session_json(session: SessionRecord) -> dict[str, Any]:
    return {
        "id": str(session.id),
        "conversation_history": session.conversation_history,
        "diver_profile": session.diver_profile,
        "conversation_state": session.conversation_state,
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
    session = await run_in_threadpool(sessions(runtime).create, profile)
    return JSONResponse(
        session_json(session),
        status_code=201,
        headers={"Location": f"/api/sessions/{session.id}"},
    )


async def get_session(request: Request) -> Response:
    session_id = parse_session_id(request.path_params["session_id"])
    session = await run_in_threadpool(sessions(runtime_of(request)).get, session_id)
    return JSONResponse(session_json(session))


async def delete_session(request: Request) -> Response:
    session_id = parse_session_id(request.path_params["session_id"])
    await run_in_threadpool(sessions(runtime_of(request)).delete, session_id)
    return Response(status_code=204)


async def session_item(request: Request) -> Response:
    # One route for the path, so a 405 lists every method it has (Allow: GET, HEAD, DELETE).
    return await (delete_session if request.method == "DELETE" else get_session)(request)


routes = [
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions/{session_id}", session_item, methods=["GET", "DELETE"]),
]
