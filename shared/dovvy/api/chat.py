"""`/api/chat` and `/api/chat/stream`: the assistant, as one JSON answer or as server-sent events."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import TYPE_CHECKING

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from dovvy import error_tracking, limits
from dovvy.api.schemas import CHAT
from dovvy.diver import kept
from dovvy.runtime import chat_service
from dovvy.web.app import runtime_of
from dovvy.web.requests import read_body

if TYPE_CHECKING:
    from dovvy.chat.orchestrator import ChatService
    from dovvy.chat.turn import ChatTurn

log = logging.getLogger(__name__)


def _service(request: Request) -> ChatService:
    service: ChatService | None = getattr(request.app.state, "chat_service", None)
    if service is None:
        service = request.app.state.chat_service = chat_service(runtime_of(request))
    return service


async def _turn(request: Request) -> ChatTurn:
    body = await read_body(request, CHAT)
    session_id = body.get("session_id")
    runtime = runtime_of(request)
    await run_in_threadpool(
        partial(limits.enforce, session_id=session_id, new_session=session_id is None),
        runtime.pool,
        runtime.settings,
        request,
        "chat",
    )
    profile = body.get("diver_profile")
    state = body.get("session_state")
    from dovvy.chat.turn import ChatTurn

    return ChatTurn(
        message=body["message"],
        session_id=session_id,
        diver_profile=None if profile is None else kept(profile),
        state=state,
    )


async def chat(request: Request) -> Response:
    turn = await _turn(request)
    answer = await run_in_threadpool(_service(request).answer, turn)
    return JSONResponse(answer)


async def chat_stream(request: Request) -> Response:
    turn = await _turn(request)
    service = _service(request)
    # Before the status line: an unknown or expired session is a 404/410, not an in-band error.
    opened = await run_in_threadpool(service.open, turn)

    async def events() -> AsyncIterator[str]:
        try:
            async for name, data in iterate_in_threadpool(service.events(turn, stream=True, opened=opened)):
                yield f"event: {name}\ndata: {json.dumps(data)}\n\n"
        except Exception as exc:
            # The status line is already sent: report the failure in-band, without internals.
            log.exception("chat stream failed")
            error_tracking.capture(exc, "POST /api/chat/stream")
            error = {"detail": "The answer could not be completed", "code": "INTERNAL_ERROR"}
            yield f"event: error\ndata: {json.dumps(error)}\n\n"
            await error_tracking.flush_from_async()

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


routes = [
    Route("/api/chat", chat, methods=["POST"]),
    Route("/api/chat/stream", chat_stream, methods=["POST"]),
]
