"""The local API gateway: the same function apps the clouds run, routed by path as `openapi.yaml` says.

Also serves the contract itself at `/openapi.yaml` and Swagger UI at `/docs` (from a package, offline).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from dovvy.function_apps import create_function_app
from dovvy.runtime import Runtime
from dovvy.web.app import create_app

# Path prefix -> function, as the cloud gateways in infra/terraform route them.
ROUTES: tuple[tuple[str, str], ...] = (
    ("/api/sessions", "session"),
    ("/api/leads", "lead"),
    ("/api/chat", "chat"),
    ("/telegram", "telegram"),
    ("/health", "session"),
    ("/ready", "session"),
)

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"

# How uvicorn serves the gateway locally (`dovvy serve`, the benchmarks, the tests' live gateway).
# Who the client is is decided by `limits.client_ip` from TRUSTED_PROXY_HOPS alone: uvicorn's own
# proxy handling would otherwise take X-Forwarded-For from anything on loopback (a tunnel, a
# port-forward) and let each request choose its own address.
SERVER_OPTIONS: dict[str, Any] = {"server_header": False, "proxy_headers": False}

_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DovvyBuddy API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/static/init.js"></script>
</body></html>
"""

_DOCS_INIT = "window.ui = SwaggerUIBundle({url: '/openapi.yaml', dom_id: '#swagger-ui'});\n"


class Gateway:
    def __init__(self, functions: dict[str, ASGIApp], fallback: ASGIApp) -> None:
        self._functions = functions
        self._fallback = fallback

    def function_for(self, path: str) -> str | None:
        for prefix, name in ROUTES:
            if path == prefix or path.startswith(prefix + "/"):
                return name
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = self.function_for(scope.get("path", "")) if scope["type"] == "http" else None
        app = self._functions[name] if name else self._fallback
        await app(scope, receive, send)


def create_gateway(runtime: Runtime) -> Gateway:
    import swagger_ui  # type: ignore[import-untyped]

    static_dir = Path(swagger_ui.__file__).parent / "static"

    spec = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))

    # The Host header is the client's to choose: never echo it. The configured public URL comes
    # first, or a relative server, which Swagger UI resolves against the page it was loaded from.
    public = runtime.settings.public_url
    servers = [{"url": public or "/", "description": "This gateway"}]
    servers += [s for s in spec.get("servers", []) if s.get("url") != public]
    body = yaml.safe_dump({**spec, "servers": servers}, sort_keys=False, allow_unicode=True)

    async def openapi(request: Request) -> Response:
        return Response(body, media_type="application/yaml")

    async def docs(request: Request) -> Response:
        return HTMLResponse(_DOCS_PAGE)

    async def docs_init(request: Request) -> Response:
        return Response(_DOCS_INIT, media_type="application/javascript")

    own = create_app(
        [
            Route("/openapi.yaml", openapi, methods=["GET"]),
            Route("/docs", docs, methods=["GET"]),
            Route("/docs/static/init.js", docs_init, methods=["GET"]),
            Mount("/docs/static", app=StaticFiles(directory=static_dir)),
        ],
        runtime,
    )
    names = {name for _, name in ROUTES}
    return Gateway({name: create_function_app(name, runtime) for name in names}, own)
