"""`/api/chat`: the assistant. Answers 501 until the chat orchestrator lands."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dovvy.errors import NotImplementedYet


async def chat(request: Request) -> Response:
    raise NotImplementedYet("Chat is not available yet")


routes = [
    Route("/api/chat", chat, methods=["POST"]),
    Route("/api/chat/stream", chat, methods=["POST"]),
]
