"""A fake of a JSON web API on loopback: each request's method, path (with its query) and JSON body
go to `answer`, whose (status, payload) is sent back as JSON. Google's APIs in the deploy tools'
tests speak this way."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_server import send_json, serving

Answer = Callable[[str, str, Any], tuple[int, Any]]


@contextmanager
def json_api(answer: Answer, seen: Callable[[BaseHTTPRequestHandler], None] | None = None) -> Iterator[str]:
    """The fake's base URL; `seen` is shown each request first (its headers, say)."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            if seen is not None:
                seen(self)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            send_json(self, *answer(self.command, self.path, body))

        do_GET = do_POST = do_PATCH = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url
