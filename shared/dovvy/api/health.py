"""Liveness (`/health`, no dependencies) and readiness (`/ready`, the database and its schema)."""

from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dovvy import __version__
from dovvy.db import SCHEMA_REVISION, schema_revision
from dovvy.errors import ConfigError, DatabaseUnavailable
from dovvy.web.app import runtime_of


async def health(request: Request) -> Response:
    return JSONResponse(
        {
            "status": "healthy",
            "version": __version__,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        }
    )


async def ready(request: Request) -> Response:
    runtime = runtime_of(request)

    def check() -> dict[str, str]:
        try:
            revision = runtime.pool.run(schema_revision, transaction=False)
        except (DatabaseUnavailable, ConfigError) as exc:
            return {"database": f"unavailable: {exc}"}
        if revision != SCHEMA_REVISION:
            return {
                "database": "ok",
                "schema": f"at {revision or 'none'}, expected {SCHEMA_REVISION}",
            }
        return {"database": "ok", "schema": "ok"}

    checks = await run_in_threadpool(check)
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "not_ready", "version": __version__, "checks": checks},
        status_code=200 if ok else 503,
    )


routes = [
    Route("/health", health, methods=["GET"]),
    Route("/ready", ready, methods=["GET"]),
]
