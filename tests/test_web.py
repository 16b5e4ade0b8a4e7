"""Behaviour every function shares: request ids, size limits, error shapes."""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from dovvy.runtime import Runtime
from dovvy.web.app import create_app
from tests.conftest import ROOT
from tests.contract import ContractClient


def test_request_id_is_echoed_when_well_formed(api: ContractClient) -> None:
    response = api.get("/health", headers={"X-Request-ID": "web-7f3a"})
    assert response.headers["x-request-id"] == "web-7f3a"


@pytest.mark.parametrize("sent", ["", "has space", "x" * 129, "<script>"])
def test_unsafe_request_ids_are_replaced(api: ContractClient, sent: str) -> None:
    response = api.get("/health", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] != sent
    assert len(response.headers["x-request-id"]) == 32


def test_every_error_carries_a_request_id(client: TestClient) -> None:
    for response in (
        client.get("/nope"),
        client.put("/api/leads"),
        client.post("/api/leads", content=b"{"),
    ):
        assert response.headers["x-request-id"]


def test_unknown_route_is_404_json(client: TestClient) -> None:
    response = client.get("/api/unknown")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found", "code": "NOT_FOUND"}


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/api/leads"), ("GET", "/api/leads"), ("PATCH", "/api/sessions/x")]
)
def test_wrong_method_is_405_json(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed", "code": "METHOD_NOT_ALLOWED"}


def test_body_over_64_kib_is_413_by_content_length(client: TestClient) -> None:
    response = client.post("/api/sessions", content=b"{}" + b" " * 65536)
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_body_exactly_at_the_limit_is_accepted(client: TestClient) -> None:
    body = b'{"diverProfile": {}}'
    response = client.post(
        "/api/sessions",
        content=body + b" " * (65536 - len(body)),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201


def test_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"diverProfile": {"a": "'
        for _ in range(20):
            yield b"x" * 4096
        yield b'"}}'

    response = client.post("/api/sessions", content=chunks())
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_invalid_content_length_is_400(runtime: Runtime) -> None:
    app = create_app([], runtime)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            request = c.build_request("POST", "/api/sessions", content=b"{}")
            request.headers["content-length"] = "abc"
            return await c.send(request)

    import asyncio

    response = asyncio.run(call())
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_unexpected_errors_are_generic_500s_without_a_trace(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Request) -> Response:
        raise KeyError("secret-internal-detail")

    app = create_app([Route("/broken", broken)], runtime)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Internal server error (request id boom-1)",
        "code": "INTERNAL_ERROR",
    }
    assert response.headers["x-request-id"] == "boom-1"
    assert "secret-internal-detail" not in response.text
    assert "Traceback" not in response.text
    assert "secret-internal-detail" in caplog.text  # but it is logged for us


@pytest.mark.parametrize(
    ("method", "path", "private"),
    [
        pytest.param("GET", "/health", False, id="health"),
        pytest.param("POST", "/api/sessions", True, id="session"),
        pytest.param("GET", "/api/sessions/unknown", True, id="error"),
        pytest.param("GET", "/nope", False, id="not-found"),
    ],
)
def test_security_headers_on_every_response(
    client: TestClient, method: str, path: str, private: bool
) -> None:
    response = client.request(method, path, json={} if method == "POST" else None)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert (response.headers.get("cache-control") == "no-store") is private
    assert "strict-transport-security" not in response.headers
    assert "server" not in response.headers


def test_hsts_when_the_request_came_over_tls(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_a_405_on_a_session_lists_every_method(client: TestClient) -> None:
    response = client.put("/api/sessions/0b8f3c1e-2d4a-4f6b-9c8d-1e2f3a4b5c6d")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "HEAD", "DELETE"}


def test_ready_on_an_unmigrated_database_is_503(fresh_database: Any) -> None:
    from dovvy.config import Secret, Settings
    from dovvy.gateway import create_gateway
    from tests.conftest import url_for

    runtime = Runtime(Settings(database_url=Secret(url_for(fresh_database))))
    with TestClient(create_gateway(runtime)) as bare:
        response = bare.get("/ready")
    runtime.close()
    assert response.status_code == 503
    assert response.json()["checks"]["schema"].startswith("at none")


def test_a_client_hanging_up_mid_body_is_no_server_error(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Any client could otherwise fill the 5xx alarms by closing its connection half-way."""
    import asyncio

    from dovvy.gateway import create_gateway

    app = create_gateway(runtime)
    sent: list[MutableMapping[str, Any]] = []
    chunks: list[dict[str, Any]] = [
        {"type": "http.request", "body": b'{"type": "trip", "da', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/leads",
        "raw_path": b"/api/leads",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
        "client": ("203.0.113.1", 5000),
        "server": ("testserver", 80),
    }
    with caplog.at_level("INFO"):
        asyncio.run(app(scope, receive, send))
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [499]
    assert "unhandled error" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_every_error_kind_has_its_own_row_in_the_one_table() -> None:
    """Errors carry no HTTP (the domain and repositories raise them); web/errors.py maps each kind.
    A new kind without a row would answer as its parent: say which it is."""
    import inspect

    from dovvy import errors
    from dovvy.web.errors import HTTP_OF

    kinds = {k for _, k in inspect.getmembers(errors, inspect.isclass) if issubclass(k, errors.ApiError)}
    assert kinds == set(HTTP_OF)
    assert not any(hasattr(kind, "status_code") for kind in kinds)
    contract = (ROOT / "openapi.yaml").read_text()
    assert all(code in contract for _, code in HTTP_OF.values() if code != "INTERNAL_ERROR")
