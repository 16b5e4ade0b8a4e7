"""The two clouds' entry points around one ASGI app: AWS Lambda (Mangum) and Cloud Run functions.

Each adapter imports its framework only on the cloud that uses it, so neither pays the other's
import cost at cold start.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def lambda_handler(app: ASGIApp) -> LambdaHandler:
    adapter: LambdaHandler | None = None

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal adapter
        if adapter is None:
            from mangum import Mangum

            # lifespan="off": Mangum would otherwise run startup and shutdown on every invocation.
            adapter = Mangum(app, lifespan="off")  # type: ignore[arg-type]
        return adapter(event, context)

    return handler


class _Delegate(Response):
    """A Response that hands the whole exchange to another ASGI app."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


def cloud_run_target(app: ASGIApp, name: str) -> Callable[[Request], Awaitable[Response]]:
    """An async functions-framework HTTP target named `name`, serving every route of `app`."""

    async def target(request: Request) -> Response:
        return _Delegate(app)

    target.__name__ = target.__qualname__ = name
    if "functions_framework" in sys.modules:
        # Loaded by the functions-framework runtime: register the target as an ASGI (aio) one.
        import functions_framework.aio as ffa

        return ffa.http(target)  # type: ignore[return-value]
    return target
