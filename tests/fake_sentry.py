"""A real HTTP server on loopback that takes what the Sentry SDK sends to `/api/<project>/envelope/`
and keeps each envelope's bytes as they arrived (after undoing the transport's compression)."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_server import serving

_ENVELOPE_PATH = re.compile(r"^/api/(\d+)/envelope/$")
PROJECT = "7"


@dataclass
class Envelope:
    raw: bytes  # decompressed, as the SDK wrote it
    header: dict[str, Any]
    items: list[tuple[dict[str, Any], bytes]]

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        return [json.loads(payload) for head, payload in self.items if head.get("type") == kind]


@dataclass
class FakeSentry:
    dsn: str = ""
    envelopes: list[Envelope] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def events(self, kind: str = "event", wait_seconds: float = 5.0) -> list[dict[str, Any]]:
        """The items of this kind (error events, or transactions) received so far, waiting a
        little for the first to arrive."""
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            found = [item for envelope in self.envelopes for item in envelope.payloads(kind)]
            if found:
                return found
            time.sleep(0.05)
        return []

    def raw(self) -> str:
        return b"".join(envelope.raw for envelope in self.envelopes).decode()


def parse(raw: bytes) -> Envelope:
    """Sentry's envelope: a JSON header line, then items, each a JSON header line and a payload of
    the length that header gives (or up to the next newline when it gives none)."""
    head, _, rest = raw.partition(b"\n")
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item, payload))
    return Envelope(raw, json.loads(head), items)


def _decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding in ("", "identity"):
        return body
    raise AssertionError(f"an encoding this fake cannot read: {encoding}")


@contextmanager
def fake_sentry() -> Iterator[FakeSentry]:
    state = FakeSentry()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if _ENVELOPE_PATH.match(self.path) and self.path.split("/")[2] == PROJECT:
                encoding = self.headers.get("content-encoding", "").lower()
                state.envelopes.append(parse(_decoded(body, encoding)))
                status, answer = 200, b"{}"
            else:
                state.refused.append(self.path)
                status, answer = 404, b""
            self.send_response(status)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as base_url:
        state.dsn = base_url.replace("http://", "http://publickey@") + f"/{PROJECT}"
        yield state
