"""A Lambda runtime loop that streams an ASGI app's responses, for `/api/chat/stream`.

Lambda's managed Python runtime returns a handler's result whole, and API Gateway's HTTP API
buffers it too, so server-sent events would reach the browser all at once when the turn ends. A
function URL in `RESPONSE_STREAM` mode passes a response on as it is written, provided the runtime
writes it the streaming way (AWS Lambda Developer Guide, "Custom runtimes", response streaming):
the response is POSTed to the Runtime API with `Lambda-Runtime-Function-Response-Mode: streaming`
and chunked transfer encoding; for a function URL its body starts with the status and headers as
JSON, then eight NUL bytes, then the body bytes (content type
`application/vnd.awslambda.http-integration-response`); an error after the body began is reported
in the `Lambda-Runtime-Function-Error-Type` / `-Body` trailers.

The function runs this loop in place of the managed runtime's own client: the chat bundle's
`stream_bootstrap`, named by `AWS_LAMBDA_EXEC_WRAPPER`, starts `python -m
dovvy.web.streaming_runtime`. It serves the entry file's `app` (functions/chat/main.py).
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import importlib
import json
import logging
import os
import sys
from typing import Any

from starlette.types import ASGIApp, Message

from dovvy import error_tracking

log = logging.getLogger(__name__)

_API = "/2018-06-01/runtime"
_DELIMITER = b"\x00" * 8
_HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"


def scope_for(event: dict[str, Any]) -> dict[str, Any]:
    """An ASGI HTTP scope from a function URL event (payload format 2.0)."""
    http = event.get("requestContext", {}).get("http", {})
    headers = [
        (k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in event.get("headers", {}).items()
    ]
    if event.get("cookies"):
        headers.append((b"cookie", "; ".join(event["cookies"]).encode("latin-1")))
    host = event.get("headers", {}).get("host", "lambda")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": http.get("method", "GET"),
        "scheme": "https",
        "path": event.get("rawPath", "/"),
        "raw_path": event.get("rawPath", "/").encode(),
        "query_string": event.get("rawQueryString", "").encode(),
        "root_path": "",
        "headers": headers,
        "client": (http.get("sourceIp", "0.0.0.0"), 0),  # noqa: S104 - an address, not a bind
        "server": (host, 443),
        # What Mangum passes too: the request id middleware reads the gateway's id from here.
        "aws.event": event,
    }


def _body(event: dict[str, Any]) -> bytes:
    raw = event.get("body") or ""
    return base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()


class _Stream:
    """One invocation's response, written to the Runtime API as it is produced."""

    def __init__(self, api: str, request_id: str) -> None:
        self._conn = http.client.HTTPConnection(api, timeout=900)
        self._conn.putrequest("POST", f"{_API}/invocation/{request_id}/response")
        self._conn.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
        self._conn.putheader("Transfer-Encoding", "chunked")
        self._conn.putheader("Content-Type", _HTTP_INTEGRATION)
        self._conn.putheader(
            "Trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"
        )
        self._conn.endheaders()
        self.started = False

    def write(self, data: bytes) -> None:
        if data:
            self._conn.send(b"%x\r\n%s\r\n" % (len(data), data))

    def start(self, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        single: dict[str, str] = {}
        cookies = []
        for name, value in headers:
            key, text = name.decode("latin-1"), value.decode("latin-1")
            if key.lower() == "set-cookie":
                cookies.append(text)
            else:
                single[key] = f"{single[key]}, {text}" if key in single else text
        prelude = {"statusCode": status, "headers": single, "cookies": cookies}
        self.write(json.dumps(prelude).encode() + _DELIMITER)
        self.started = True

    def finish(self, error: BaseException | None = None) -> None:
        trailers = b""
        if error is not None:
            body = base64.b64encode(json.dumps({"errorType": type(error).__name__}).encode())
            trailers = (
                b"Lambda-Runtime-Function-Error-Type: Runtime.StreamError\r\n"
                b"Lambda-Runtime-Function-Error-Body: " + body + b"\r\n"
            )
        self._conn.send(b"0\r\n" + trailers + b"\r\n")
        response = self._conn.getresponse()
        response.read()
        self._conn.close()


async def _serve(app: ASGIApp, event: dict[str, Any], stream: _Stream) -> None:
    pending = [{"type": "http.request", "body": _body(event), "more_body": False}]

    async def receive() -> Message:
        if pending:
            return pending.pop()
        await asyncio.Event().wait()  # the request is whole; only a disconnect could follow
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            stream.start(message["status"], list(message.get("headers", [])))
        elif message["type"] == "http.response.body":
            stream.write(message.get("body", b""))

    await app(scope_for(event), receive, send)


def _post(api: str, path: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    conn = http.client.HTTPConnection(api, timeout=30)
    conn.request("POST", f"{_API}{path}", body=json.dumps(payload), headers=headers or {})
    conn.getresponse().read()
    conn.close()


def handle(app: ASGIApp, api: str, request_id: str, event: dict[str, Any]) -> None:
    """Serve one invocation; a failure before the status line is an invocation error."""
    stream = _Stream(api, request_id)
    try:
        asyncio.run(_serve(app, event, stream))
    except Exception as exc:
        log.exception("streamed invocation failed")
        error_tracking.capture(exc)
        if not stream.started:
            stream.start(500, [(b"content-type", b"application/json")])
            stream.write(json.dumps({"detail": "Internal server error", "code": "INTERNAL_ERROR"}).encode())
        stream.finish(exc)
        error_tracking.flush()
        return
    stream.finish()


def run(api: str, load: str = "main") -> None:
    """Take invocations from the Runtime API at `api` (host:port) for ever."""
    try:
        app: ASGIApp = importlib.import_module(load).app
    except Exception as exc:
        _post(api, "/init/error", {"errorType": type(exc).__name__, "errorMessage": str(exc)})
        raise
    nexts = http.client.HTTPConnection(api, timeout=None)
    while True:
        nexts.request("GET", f"{_API}/invocation/next")
        response = nexts.getresponse()
        event = json.loads(response.read())
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        handle(app, api, request_id, event)


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    run(os.environ["AWS_LAMBDA_RUNTIME_API"])
