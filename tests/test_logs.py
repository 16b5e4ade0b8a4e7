"""Each request's log line, and the line format each platform reads."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy import logs
from dovvy.runtime import Runtime


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Configure logging afresh (as a new process would) and return a reader of its JSON lines."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, logs._Stderr)]
    for handler in ours:
        root.removeHandler(handler)
    before = (root.level, logs._Process.function, logs._Process.served)
    logs._Process.served = 0

    def read() -> list[dict[str, Any]]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]

    yield read
    for handler in [h for h in root.handlers if isinstance(h, logs._Stderr)]:
        root.removeHandler(handler)
    for handler in ours:
        root.addHandler(handler)
    root.setLevel(before[0])
    logs._Process.function, logs._Process.served = before[1], before[2]


def _requests(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["message"] == "request done"]


def test_each_request_leaves_one_line_with_route_status_latency_and_stages(
    lines: Any, runtime: Runtime
) -> None:
    from dovvy.function_apps import create_function_app

    with TestClient(create_function_app("session", runtime)) as client:
        created = client.post("/api/sessions", json={}, headers={"X-Request-ID": "req-1"})
        session_id = created.json()["id"]
        client.get(f"/api/sessions/{session_id}")
        client.get("/api/sessions/00000000-0000-4000-8000-000000000000")
    first, second, missing = _requests(lines())
    assert first["function"] == "session"
    assert first["route"] == "POST /api/sessions"
    assert first["status"] == 201
    assert first["request_id"] == first["correlation_id"] == "req-1"
    assert first["latency_ms"] > 0
    assert 0 < first["stages_ms"]["db"] <= first["latency_ms"]
    assert first["cold_start"] is True
    assert second["cold_start"] is False
    assert second["route"] == "GET /api/sessions/{sessionId}"  # never the session id itself
    assert missing["status"] == 404
    assert session_id not in json.dumps(lines())


def test_behind_the_http_api_the_gateways_request_id_is_used(
    lines: Any, monkeypatch: pytest.MonkeyPatch, database_url: str, runtime: Runtime
) -> None:
    from dovvy.function_apps import create_function_app
    from dovvy.web.adapters import lambda_handler
    from tests.events import LambdaContext, load_event

    event = load_event("apigw_http_v2_get_session.json", SESSION_ID="00000000-0000-4000-8000-000000000000")
    event["headers"].pop("x-request-id", None)
    response = lambda_handler(create_function_app("session", runtime))(event, LambdaContext())
    assert response["headers"]["x-request-id"] == event["requestContext"]["requestId"]
    (line,) = _requests(lines())
    assert line["request_id"] == event["requestContext"]["requestId"]


def test_on_lambda_lines_use_powertools_format_and_hide_error_text(
    lines: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "dovvy-chat")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "chat")
    logs.configure("DEBUG", function="chat")
    token = logs.request_id.set("req-7")
    try:
        logging.getLogger("dovvy.test").debug("at debug", extra={"stage": "retrieve"})
        try:
            raise ValueError("diver@example.com said something")
        except ValueError:
            logging.getLogger("dovvy.test").exception("failed")
    finally:
        logs.request_id.reset(token)
    debug, failed = lines()
    assert debug["level"] == "DEBUG"  # LOG_LEVEL honoured
    assert debug["service"] == "chat"
    assert debug["message"] == "at debug"
    assert debug["correlation_id"] == debug["request_id"] == "req-7"
    assert debug["function"] == "chat"
    assert debug["stage"] == "retrieve"
    assert "timestamp" in debug
    assert failed["exception_name"] == "ValueError"
    assert "diver@example.com" not in json.dumps(failed)
    assert failed["exception"].startswith("ValueError at test_logs.py:")


def test_on_lambda_the_request_line_holds_every_field_the_alerts_read(
    lines: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The AWS module's metric filters read these lines: each `$.field` they name is in one."""
    from tests.conftest import ROOT

    patterns = (ROOT / "infra" / "terraform" / "aws" / "metrics.tf").read_text()
    fields = set(re.findall(r"\$\.(\w+)", patterns)) - {
        "oldest_waiting_s",
        "budget_used_fraction",
        "tokens",
        "job",
    }
    assert {"message", "status", "service", "version"} <= fields
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "dovvy-session")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "session")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "7")
    logs.configure("INFO", function="session")
    logs.request_done(logs.start_request(), "GET", "/health", 503, 12.5)
    (line,) = _requests(lines())
    assert fields <= set(line)
    assert (line["service"], line["version"], line["status"]) == ("session", "7", 503)


def test_the_version_is_the_platforms_own(lines: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_VERSION", raising=False)
    monkeypatch.setenv("K_REVISION", "dovvy-chat-00002-new")
    logs.configure("INFO", function="chat")
    logs.request_done(logs.start_request(), "GET", "/health", 200, 1.0)
    monkeypatch.delenv("K_REVISION")
    logs.request_done(logs.start_request(), "GET", "/health", 200, 1.0)
    on_cloud_run, elsewhere = _requests(lines())
    assert on_cloud_run["version"] == "dovvy-chat-00002-new"
    assert "version" not in elsewhere


def test_on_cloud_run_lines_carry_cloud_loggings_severity(
    lines: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("K_SERVICE", "dovvy-lead")
    logs.configure("INFO", function="lead")
    logging.getLogger("dovvy.test").warning("careful")
    logging.getLogger("dovvy.test").debug("not shown")
    (line,) = lines()
    assert line["severity"] == "WARNING"
    assert "level" not in line
    assert line["function"] == "lead"


def test_behind_the_local_gateway_each_line_names_the_function_that_served_it(
    lines: Any, runtime: Runtime
) -> None:
    """Several function apps share one process there; the last one configured must not label all."""
    from dovvy.function_apps import create_function_app

    session = create_function_app("session", runtime)
    create_function_app("lead", runtime)
    with TestClient(session) as client:
        client.post("/api/sessions", json={})
    (line,) = _requests(lines())
    assert line["function"] == "session"


def test_at_a_terminal_lines_are_readable_and_elsewhere_json(
    lines: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make run` in a terminal: short lines a person reads; piped to a file or a collector: JSON."""
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("K_SERVICE", raising=False)
    screen, captured = Terminal(), sys.stderr
    monkeypatch.setattr(sys, "stderr", screen)
    logs.configure("INFO", function="lead")
    logging.getLogger("dovvy.test").warning("careful", extra={"status": 503})
    (line,) = screen.getvalue().splitlines()
    assert re.fullmatch(r"\d\d:\d\d:\d\d WARNING careful  function=lead status=503", line), line

    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, logs._Stderr)]:
        root.removeHandler(handler)
    monkeypatch.setattr(sys, "stderr", captured)
    logs.configure("INFO", function="lead")
    logging.getLogger("dovvy.test").warning("careful")
    assert [line["message"] for line in lines()] == ["careful"]


def test_every_path_in_the_contract_is_logged_as_itself() -> None:
    """A route added to openapi.yaml but not to KNOWN_PATHS would be logged as {unknown}."""
    import yaml

    from dovvy.logs import safe_path
    from tests.conftest import ROOT

    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    for path in spec["paths"]:
        assert safe_path(path.replace("{sessionId}", "3f1c")) == path, path
