from __future__ import annotations

import pytest
import yaml
from starlette.testclient import TestClient

from dovvy.gateway import ROUTES, Gateway
from dovvy.runtime import Runtime
from tests.contract import Contract, ContractClient


def test_health_matches_the_contract(api: ContractClient) -> None:
    body = api.get("/health").json()
    assert body["status"] == "healthy"
    assert body["version"] == "0.1.0"


def test_ready_reports_database_and_schema(api: ContractClient) -> None:
    response = api.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "schema": "ok"}


def test_openapi_document_is_served_with_this_gateway_first(client: TestClient) -> None:
    from tests.conftest import ROOT

    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    served = yaml.safe_load(response.text)
    original = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert served["openapi"] == "3.1.0"
    assert served["paths"] == original["paths"]
    assert served["servers"][0] == {"url": "/", "description": "This gateway"}


@pytest.mark.parametrize(
    ("public_url", "first"),
    [
        pytest.param(None, "/", id="relative"),
        pytest.param("https://api.dovvy.example", "https://api.dovvy.example", id="public"),
    ],
)
def test_openapi_servers_never_echo_the_host_header(
    runtime: Runtime, public_url: str | None, first: str
) -> None:
    from dovvy.gateway import create_gateway

    configured = Runtime(runtime.settings.replace(public_url=public_url))
    with TestClient(create_gateway(configured), base_url="http://evil.example") as other:
        served = yaml.safe_load(other.get("/openapi.yaml", headers={"Host": "evil.example"}).text)
    configured.close()
    assert served["servers"][0]["url"] == first
    assert "evil.example" not in yaml.safe_dump(served["servers"])


def test_docs_page_and_its_assets_are_served_offline(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.text
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/static/swagger-ui.css").status_code == 200
    assert "/openapi.yaml" in client.get("/docs/static/init.js").text


def test_every_path_in_the_contract_is_routed_to_a_function(contract: Contract) -> None:
    from tests.conftest import ROOT

    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    gateway = Gateway({}, fallback=None)  # type: ignore[arg-type]
    for path in spec["paths"]:
        assert gateway.function_for(path.replace("{sessionId}", "x")) is not None, path


@pytest.mark.parametrize(
    ("path", "function"),
    [
        ("/api/sessions", "session"),
        ("/api/sessions/abc", "session"),
        ("/api/leads", "lead"),
        ("/api/chat/stream", "chat"),
        ("/telegram/webhook", "telegram"),
        ("/api/sessionsX", None),
        ("/docs", None),
    ],
)
def test_gateway_routes_by_prefix(path: str, function: str | None) -> None:
    assert Gateway({}, fallback=None).function_for(path) == function  # type: ignore[arg-type]
    assert {name for _, name in ROUTES} == {"session", "lead", "chat", "telegram"}


def test_the_contract_check_catches_a_broken_response(contract: Contract) -> None:
    import httpx2 as httpx
    from openapi_core.validation.response.exceptions import InvalidData

    request = httpx.Request("GET", "http://127.0.0.1:8080/health")
    bad = httpx.Response(200, json={"status": "healthy"}, request=request)  # version/timestamp missing
    with pytest.raises(InvalidData):
        contract.check(bad)
