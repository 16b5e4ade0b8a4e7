"""The app factory every function uses, so all of them share middleware and error rendering."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dovvy import error_tracking
from dovvy.logs import request_id, safe_path
from dovvy.runtime import Runtime
from dovvy.web.cors import CorsMiddleware, CorsPolicy
from dovvy.web.errors import EXCEPTION_HANDLERS, error_response
from dovvy.web.middleware import BodyLimitMiddleware, RequestIdMiddleware, SecurityHeadersMiddleware

log = logging.getLogger(__name__)


def create_app(routes: Sequence[BaseRoute], runtime: Runtime, function: str | None = None) -> Starlette:
    settings = runtime.settings
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(RequestIdMiddleware, function=function),
        Middleware(ErrorBoundary),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    # Always present: with nothing configured it allows no origin, and a refused preflight says
    # which setting would allow it (it was a bare 405 from the router).
    pattern = re.compile(settings.cors_origin_regex) if settings.cors_origin_regex else None
    middleware.insert(1, Middleware(CorsMiddleware, CorsPolicy(frozenset(settings.cors_origins), pattern)))
    app = Starlette(routes=list(routes), middleware=middleware, exception_handlers=EXCEPTION_HANDLERS)
    app.state.runtime = runtime
    return app


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class ErrorBoundary:
    """Turn anything that escaped the handlers into a generic 500, inside the request-id scope.

    Starlette's own last-resort handler sits outside all middleware, where the request id is gone.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        route = error_tracking.route_of(scope.get("method"), scope.get("path"))
        try:
            with error_tracking.traced(route):
                await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            # The client hung up before its body arrived: nothing failed here (a 500 would let any
            # client inflate the error-rate alarms), and nobody is left to answer. 499 is the
            # status proxies log for it.
            log.info("client closed the request", extra={"path": safe_path(str(scope.get("path")))})
            if not started:
                await error_response(499, "Client closed the request", "CLIENT_CLOSED")(scope, receive, send)
        except Exception as exc:
            log.exception(
                "unhandled error",
                extra={"path": safe_path(str(scope.get("path"))), "method": scope.get("method")},
            )
            error_tracking.capture(exc, route)
            # A response already begun (a background task failed) cannot become a 500.
            if not started:
                rid = request_id.get()
                detail = "Internal server error" + (f" (request id {rid})" if rid else "")
                await error_response(500, detail, "INTERNAL_ERROR")(scope, receive, send)
            await error_tracking.flush_from_async()
