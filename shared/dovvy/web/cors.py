"""Cross-origin access for a browser app on another origin, credentials included.

Our own rather than Starlette's CORSMiddleware, which sends `Access-Control-Allow-Credentials` to
every origin (allowed or not) and refuses a preflight in plain text. Here an allowed origin (from
the list, or matching the pattern) gets its own origin echoed with credentials; any other gets no
CORS header at all, and a refused preflight is a 403 in the API's error shape. Every response
carries `Vary: Origin`, since its headers depend on it.
"""

from __future__ import annotations

import dataclasses
import json
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METHODS = ("GET", "HEAD", "POST", "DELETE", "OPTIONS")
# Request headers a page may send beyond the CORS-safelisted ones.
REQUEST_HEADERS = ("content-type", "idempotency-key", "x-request-id")
# Response headers a page may read beyond the safelisted ones.
EXPOSED_HEADERS = (
    "X-Request-ID",
    "Retry-After",
    "Idempotent-Replayed",
    "Location",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)
_SAFELISTED = {"accept", "accept-language", "content-language"}
MAX_AGE_SECONDS = 600


@dataclasses.dataclass(frozen=True)
class CorsPolicy:
    origins: frozenset[str]
    pattern: re.Pattern[str] | None = None

    @property
    def any_origin(self) -> bool:
        return "*" in self.origins

    def allows(self, origin: str) -> bool:
        return (
            self.any_origin
            or origin in self.origins
            or (self.pattern is not None and self.pattern.fullmatch(origin) is not None)
        )


class CorsMiddleware:
    def __init__(self, app: ASGIApp, policy: CorsPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is not None and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, headers, send)
            return
        allowed = origin is not None and self.policy.allows(origin)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if allowed and origin is not None:
                    self._allow(out, origin)
                    out["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _allow(self, out: MutableHeaders, origin: str) -> None:
        if self.policy.any_origin:
            # Any site may read, none with the visitor's credentials: browsers refuse "*" with them.
            out["Access-Control-Allow-Origin"] = "*"
        else:
            out["Access-Control-Allow-Origin"] = origin
            out["Access-Control-Allow-Credentials"] = "true"

    async def _preflight(self, origin: str, headers: Headers, send: Send) -> None:
        method = headers["access-control-request-method"].strip().upper()
        requested = [
            h.strip().lower()
            for h in headers.get("access-control-request-headers", "").split(",")
            if h.strip()
        ]
        refused = [
            what
            for what, bad in (
                ("origin", not self.policy.allows(origin)),
                ("method", method not in METHODS),
                ("headers", any(h not in REQUEST_HEADERS and h not in _SAFELISTED for h in requested)),
            )
            if bad
        ]
        out = MutableHeaders()
        out["Vary"] = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        if refused:
            detail = f"Cross-origin request refused ({', '.join(refused)})"
            if not self.policy.origins and self.policy.pattern is None:
                detail += (
                    "; this server allows no other origin: set CORS_ORIGINS (or CORS_ORIGIN_REGEX)"
                    " to the web app's"
                )
            body = json.dumps({"detail": detail, "code": "CORS_REFUSED"}).encode()
            out["Content-Type"] = "application/json"
            status = 403
        else:
            body = b""
            self._allow(out, origin)
            out["Access-Control-Allow-Methods"] = ", ".join(METHODS)
            out["Access-Control-Allow-Headers"] = ", ".join(REQUEST_HEADERS)
            out["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
            status = 204
        out["Content-Length"] = str(len(body))
        await send({"type": "http.response.start", "status": status, "headers": out.raw})
        await send({"type": "http.response.body", "body": body})
