"""Cross-origin access as a browser exercises it: preflights on every route, credentials only for
allowed origins, refusals in the API's error shape, `Vary: Origin` everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml
from starlette.testclient import TestClient

from dovvy.gateway import create_gateway
from dovvy.runtime import Runtime
from tests.conftest import BASE_URL, ROOT

APP = "https://app.dovvybuddy.example"
PREVIEW_PATTERN = r"https://dovvybuddy-[a-z0-9-]+\.vercel\.app"


@pytest.fixture
def cors(runtime: Runtime) -> Iterator[TestClient]:
    settings = runtime.settings.replace(cors_origins=(APP,), cors_origin_regex=PREVIEW_PATTERN)
    configured = Runtime(settings)
    with TestClient(create_gateway(configured), base_url=BASE_URL) as client:
        yield client
    configured.close()


def contract_routes() -> list[tuple[str, str]]:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "0b8f3c1e-2d4a-4f6b-9c8d-1e2f3a4b5c6d", path))
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "delete"}
    ]


def preflight(origin: str, method: str = "POST", headers: str = "content-type") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


@pytest.mark.parametrize(("method", "path"), contract_routes(), ids=str)
def test_every_route_answers_a_preflight_from_an_allowed_origin(
    cors: TestClient, method: str, path: str
) -> None:
    response = cors.options(path, headers=preflight(APP, method))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["access-control-allow-credentials"] == "true"
    assert method in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"]
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://dovvybuddy-git-feature-x.vercel.app", id="preview"),
        pytest.param("https://dovvybuddy-abc123.vercel.app", id="preview-hash"),
    ],
)
def test_origins_matching_the_pattern_are_allowed(cors: TestClient, origin: str) -> None:
    response = cors.options("/api/chat", headers=preflight(origin))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://evil.example", id="other-site"),
        pytest.param("http://app.dovvybuddy.example", id="plain-http"),
        pytest.param("https://app.dovvybuddy.example.evil.example", id="suffix"),
        pytest.param("https://dovvybuddy-x.vercel.app.evil.example", id="pattern-must-match-whole"),
        pytest.param("https://someone-else.vercel.app", id="other-vercel-app"),
        pytest.param("null", id="null-origin"),
    ],
)
def test_other_origins_are_refused_without_any_cors_header(cors: TestClient, origin: str) -> None:
    response = cors.options("/api/leads", headers=preflight(origin))
    assert response.status_code == 403
    assert response.json()["code"] == "CORS_REFUSED"
    assert not [h for h in response.headers if h.startswith("access-control-")]
    post = cors.post("/api/sessions", json={}, headers={"Origin": origin})
    assert not [h for h in post.headers if h.startswith("access-control-")]
    assert "Origin" in post.headers["vary"]


@pytest.mark.parametrize(
    ("method", "headers", "refused"),
    [
        pytest.param("PUT", "content-type", "method", id="method"),
        pytest.param("POST", "content-type, authorization", "headers", id="header"),
    ],
)
def test_unlisted_methods_and_headers_are_refused(
    cors: TestClient, method: str, headers: str, refused: str
) -> None:
    response = cors.options("/api/chat", headers=preflight(APP, method, headers))
    assert response.status_code == 403
    assert refused in response.json()["detail"]


def test_the_headers_the_web_app_sends_are_allowed(cors: TestClient) -> None:
    response = cors.options(
        "/api/leads", headers=preflight(APP, "POST", "Content-Type, Idempotency-Key, X-Request-ID")
    )
    assert response.status_code == 204


def test_a_credentialed_post_from_an_allowed_origin_can_be_read(cors: TestClient) -> None:
    response = cors.post("/api/sessions", json={}, headers={"Origin": APP, "Cookie": "a=b"})
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "X-Request-ID" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers["vary"]


def test_errors_carry_cors_headers_too(cors: TestClient) -> None:
    """A page must be able to read a 404 or 422 to show the diver what went wrong."""
    response = cors.get("/api/sessions/not-a-session", headers={"Origin": APP})
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == APP


def test_responses_without_an_origin_still_vary_on_it(cors: TestClient) -> None:
    response = cors.get("/health")
    assert "Origin" in response.headers["vary"]
    assert "access-control-allow-origin" not in response.headers


def test_any_origin_never_gets_credentials(runtime: Runtime) -> None:
    anyone = Runtime(runtime.settings.replace(cors_origins=("*",)))
    with TestClient(create_gateway(anyone), base_url=BASE_URL) as client:
        response = client.options("/api/chat", headers=preflight("https://whoever.example"))
    anyone.close()
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_cors_is_off_unless_configured(client: TestClient) -> None:
    response = client.options("/api/leads", headers=preflight(APP))
    assert not [h for h in response.headers if h.startswith("access-control-")]
    # A refused preflight says which setting would allow it (it was a bare 405).
    assert response.status_code == 403
    assert response.json()["code"] == "CORS_REFUSED"
    assert "set CORS_ORIGINS" in response.json()["detail"]
