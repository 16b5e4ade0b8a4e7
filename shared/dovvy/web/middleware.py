"""Pure ASGI middleware: request ids (and each request's log line), security headers and the
request body size limit."""

from __future__ import annotations

import json
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dovvy import logs
from dovvy.errors import PayloadTooLarge
from dovvy.logs import request_id

# Letters, digits and . _ : - = (API Gateway's ids end in "="): nothing that could forge a log line.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:=-]{1,128}$")


class RequestIdMiddleware:
    """Echo a well-formed client X-Request-ID, or mint one; expose it to logs and every response."""

    def __init__(self, app: ASGIApp, function: str | None = None) -> None:
        self.app = app
        self.function = function

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        # Behind the AWS HTTP API without a client id, the gateway's own request id (Mangum puts
        # the event in the scope), so a function's lines and the gateway's access log correlate.
        gateway_id = scope.get("aws.event", {}).get("requestContext", {}).get("requestId")
        candidates = (incoming, gateway_id)
        rid = next(
            (c for c in candidates if isinstance(c, str) and _SAFE_REQUEST_ID.match(c)), uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)
        stages = logs.start_request(self.function)
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            latency = (time.perf_counter() - started) * 1000
            logs.request_done(stages, scope["method"], scope["path"], status, latency)
            request_id.reset(token)


class SecurityHeadersMiddleware:
    """Headers every response carries: no sniffing, no referrer, no framing; no caching of
    conversations and personal data; HSTS when the request came over TLS (directly or through the
    gateway's X-Forwarded-Proto); and no `server` header naming the software."""

    _ALWAYS = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    )
    _PRIVATE_PREFIXES = ("/api/",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = (
            scope.get("scheme") == "https" or (_header(scope, b"x-forwarded-proto") or "").lower() == "https"
        )
        private = str(scope.get("path", "")).startswith(self._PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._ALWAYS:
                    headers[name.decode()] = value.decode()
                if private:
                    headers["Cache-Control"] = "no-store"
                if tls:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413, by Content-Length up front or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            status = 413 if declared.isdigit() else 400
            code = "PAYLOAD_TOO_LARGE" if status == 413 else "BAD_REQUEST"
            detail = self._too_large() if status == 413 else "Invalid Content-Length header"
            body = json.dumps({"detail": detail, "code": code}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self._too_large())
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self) -> str:
        return f"Request body exceeds {self.max_bytes} bytes"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1").strip()
    return None
