"""A local HTTP server that speaks just enough of a provider's wire format for the real SDKs.

Tests queue responses (status, JSON body, headers) per path suffix; the server records every
request it received. Loopback only.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_server import serving

Responder = Callable[[dict[str, Any]], tuple[int, Any, dict[str, str]]]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeProvider:
    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    queued: dict[str, deque[tuple[int, Any, dict[str, str], float]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    default: dict[str, Responder] = field(default_factory=dict)

    def queue(
        self, suffix: str, status: int, body: Any, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        self.queued[suffix].append((status, body, headers or {}, delay))

    def respond(self, suffix: str, responder: Responder) -> None:
        self.default[suffix] = responder

    def hits(self, suffix: str) -> list[Received]:
        return [r for r in self.requests if r.path.split("?")[0].endswith(suffix)]


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    state = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            import time

            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            body = json.loads(raw) if raw else None
            path = self.path.split("?")[0]
            state.requests.append(Received("POST", self.path, dict(self.headers.items()), body))
            for suffix, queue in state.queued.items():
                if path.endswith(suffix) and queue:
                    status, payload, headers, delay = queue.popleft()
                    time.sleep(delay)
                    return self._send(status, payload, headers)
            for suffix, responder in state.default.items():
                if path.endswith(suffix):
                    status, payload, headers = responder(body or {})
                    return self._send(status, payload, headers)
            return self._send(404, {"error": {"message": f"no fake response for {path}"}}, {})

        def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", headers.pop("content-type", "application/json"))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as base_url:
        state.base_url = base_url
        yield state


def groq_stream(pieces: tuple[str, ...]) -> bytes:
    """A Groq (OpenAI-style) streamed completion: one SSE chunk per piece, then [DONE]."""
    chunks = [
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
        }
        for piece in pieces
    ]
    return ("".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n").encode()
