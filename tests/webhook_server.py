"""A real HTTP server on loopback that records webhook deliveries and answers a chosen status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.local_server import serving


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookServer:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    status: int = 200


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    state = WebhookServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            state.deliveries.append(Delivery(dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(state.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as base_url:
        state.url = f"{base_url}/hooks/lead"
        yield state
