"""A fake of Lambda's Runtime API on loopback, enough for a runtime that streams: it hands out the
queued events on `GET .../invocation/next` and records each streamed response chunk by chunk, with
the time each chunk arrived, and its trailers."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_server import serving


@dataclass
class Streamed:
    headers: dict[str, str]
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    trailers: dict[str, str] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def body(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)


@dataclass
class RuntimeApi:
    address: str = ""
    events: queue.Queue[tuple[str, dict[str, Any]]] = field(default_factory=queue.Queue)
    responses: dict[str, Streamed] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def invoke(self, request_id: str, event: dict[str, Any]) -> None:
        self.events.put((request_id, event))

    def wait(self, request_id: str, timeout: float) -> Streamed:
        deadline = time.monotonic() + timeout
        while request_id not in self.responses and time.monotonic() < deadline:
            time.sleep(0.05)
        streamed = self.responses[request_id]
        assert streamed.done.wait(max(deadline - time.monotonic(), 0)), "the response never ended"
        return streamed


@contextmanager
def runtime_api() -> Iterator[RuntimeApi]:
    api = RuntimeApi()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            request_id, event = api.events.get()
            body = json.dumps(event).encode()
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
            self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 28_000))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            parts = self.path.split("/")
            if self.path.endswith("/response") and self.headers.get("Transfer-Encoding") == "chunked":
                streamed = Streamed(headers=dict(self.headers.items()))
                api.responses[parts[-2]] = streamed
                self._read_chunks(streamed)
                streamed.done.set()
            else:
                length = int(self.headers.get("Content-Length", 0))
                api.errors.append({"path": self.path, "body": json.loads(self.rfile.read(length) or b"{}")})
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _read_chunks(self, streamed: Streamed) -> None:
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    break
                streamed.chunks.append((time.monotonic(), self.rfile.read(size)))
                self.rfile.readline()
            while line := self.rfile.readline().strip():
                name, _, value = line.decode().partition(":")
                streamed.trailers[name.strip()] = value.strip()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        api.address = url.removeprefix("http://")
        yield api
