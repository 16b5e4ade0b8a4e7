"""Optional Sentry reports: a 500 through a real function app reaches a fake Sentry on loopback
carrying its request id, environment, release, error kind and frames, and none of the personal
values the request held; with SENTRY_DSN unset nothing of the SDK is even imported."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy import error_tracking
from dovvy.config import Settings
from dovvy.function_apps import create_function_app
from dovvy.jobs import JOBS, JobHandlers
from dovvy.runtime import Runtime
from tests.conftest import ROOT
from tests.fake_sentry import FakeSentry, fake_sentry

MESSAGE = "MARK-MSG-7f3a"
EMAIL = "mark.7f3a@example.com"
PHONE = "+60 12-345 7734"
NAME = "Marika Sevenfold"
QUERY = "MARK-QUERY-7f3a"
COOKIE = "MARK-COOKIE-7f3a"
AGENT = "MARK-AGENT-7f3a"
RELEASE = "rel-7f3a"


@pytest.fixture
def sentry() -> Iterator[FakeSentry]:
    with fake_sentry() as server:
        try:
            yield server
        finally:
            error_tracking.stop()


@pytest.fixture
def reporting_runtime(settings: Settings, sentry: FakeSentry) -> Iterator[Runtime]:
    runtime = Runtime(settings.replace(sentry_dsn=sentry.dsn, environment="staging", release=RELEASE))
    runtime.pool.run(lambda conn: conn.run("TRUNCATE sessions, leads CASCADE"), transaction=False)
    yield runtime
    runtime.close()


def _failing_insert(conn: Any, new: Any, **_: Any) -> Any:
    # PostgreSQL's own message for a failed cast repeats the input: the error's text carries the
    # diver's values, as a real constraint or type error can.
    values = f"{new.name} {new.email} {new.phone} {new.request_details} {new.session_id}"
    conn.run("SELECT CAST(:value AS integer)", value=values)


def _failed_lead(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A lead whose insert fails, sent to the lead function; (its request id, the session id)."""
    from dovvy.db import leads as leads_repo

    with TestClient(create_function_app("session", runtime)) as client:
        session = client.post("/api/sessions", json={"diverProfile": {"destination": MESSAGE}}).json()["id"]
    monkeypatch.setattr(leads_repo, "insert", _failing_insert)
    lead = {
        "type": "trip",
        "session_id": session,
        "data": {"name": NAME, "email": EMAIL, "phone": PHONE, "message": f"please call {MESSAGE}"},
    }
    app = create_function_app("lead", runtime)
    with TestClient(app, raise_server_exceptions=False, cookies={"sid": COOKIE}) as client:
        response = client.post(f"/api/leads?ref={QUERY}", json=lead, headers={"User-Agent": AGENT})
    assert response.status_code == 500
    return response.headers["x-request-id"], session


def test_a_500_reaches_sentry_with_its_request_id_and_no_personal_data(
    reporting_runtime: Runtime, sentry: FakeSentry, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id, session = _failed_lead(reporting_runtime, monkeypatch)
    error_tracking.flush()
    (event,) = sentry.events()
    assert sentry.refused == []
    sent = sentry.raw()
    for value in (MESSAGE, EMAIL, PHONE, NAME, QUERY, COOKIE, AGENT, session):
        assert value not in sent, value
    assert event["tags"] == {"request_id": request_id, "function": "lead", "route": "POST /api/leads"}
    assert (event["environment"], event["release"]) == ("staging", RELEASE)
    error = event["exception"]["values"][-1]
    assert (error["type"], error["value"]) == ("DatabaseError", "SQLSTATE 22P02")
    frames = error["stacktrace"]["frames"]
    assert any(f["function"] == "_failing_insert" and f["lineno"] > 0 for f in frames)
    assert all("vars" not in f for f in frames)
    assert not {"request", "user", "breadcrumbs", "extra", "server_name", "logentry"} & set(event)


def test_with_tracing_a_request_is_a_transaction_named_by_its_route(
    settings: Settings, sentry: FakeSentry
) -> None:
    unknown = "0b8f3c1e-2d4a-4f6b-9c8d-7f3a7f3a7f3a"
    runtime = Runtime(settings.replace(sentry_dsn=sentry.dsn, sentry_traces_sample_rate=1.0))
    try:
        with TestClient(create_function_app("session", runtime)) as client:
            response = client.get(f"/api/sessions/{unknown}?ref={QUERY}", headers={"User-Agent": AGENT})
    finally:
        runtime.close()
    assert response.status_code == 404
    error_tracking.flush()
    (transaction,) = sentry.events("transaction")
    assert transaction["transaction"] == "GET /api/sessions/{sessionId}"
    assert transaction["tags"]["request_id"] == response.headers["x-request-id"]
    for value in (unknown, QUERY, AGENT):
        assert value not in sentry.raw(), value


def test_a_failed_job_is_reported_and_still_fails(
    reporting_runtime: Runtime, sentry: FakeSentry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(runtime: Runtime) -> dict[str, int]:
        raise LookupError(f"no row for {EMAIL}")

    error_tracking.configure(reporting_runtime.settings)
    monkeypatch.setitem(JOBS, "purge-sessions", broken)
    with pytest.raises(LookupError):
        JobHandlers(reporting_runtime).aws({"job": "purge-sessions"}, None)
    (event,) = sentry.events()
    assert event["exception"]["values"][-1]["type"] == "LookupError"
    assert EMAIL.encode() not in sentry.envelopes[0].raw


def test_a_chain_keeps_each_kind_and_only_the_sqlstate() -> None:
    class DatabaseError(Exception):
        pass

    try:
        try:
            raise DatabaseError({"C": "23505", "M": f"duplicate key: {EMAIL}"})
        except DatabaseError as inner:
            raise RuntimeError(f"saving {EMAIL} failed") from inner
    except RuntimeError as outer:
        error = outer
    event: Any = {
        "exception": {
            "values": [{"type": "DatabaseError", "value": EMAIL}, {"type": "RuntimeError", "value": EMAIL}]
        },
        "tags": {"request_id": "r-1", "user_agent": AGENT},
        "request": {"url": f"/x?{QUERY}"},
    }
    scrubbed = error_tracking.scrub(event, {"exc_info": (type(error), error, None)})
    assert scrubbed is not None
    assert [v["value"] for v in scrubbed["exception"]["values"]] == ["SQLSTATE 23505", ""]
    assert scrubbed.get("tags") == {"request_id": "r-1"}
    assert EMAIL not in json.dumps(scrubbed)
    assert QUERY not in json.dumps(scrubbed)


_BUILD_APPS = (
    "import json, sys\n"
    "from dovvy.function_apps import create_function_app\n"
    "for name in ('session', 'lead', 'chat'):\n"
    "    create_function_app(name)\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'sentry_sdk')))\n"
)


def _modules_loaded(database_url: str, **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _BUILD_APPS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DATABASE_URL": database_url, "GEMINI_API_KEY": "k", "PATH": "", **env},
    )
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_without_a_dsn_nothing_of_sentry_is_imported(database_url: str) -> None:
    assert _modules_loaded(database_url) == []


def test_with_a_dsn_no_integration_is_loaded(database_url: str) -> None:
    """Each integration imports its library (and the logging one would send log messages): only
    the SDK's own core loads, with dedupe, which it always imports."""
    loaded = _modules_loaded(database_url, SENTRY_DSN="http://key@127.0.0.1:9/1", DOVVY_RELEASE="r")
    assert "sentry_sdk" in loaded
    integrations = [m for m in loaded if m.startswith("sentry_sdk.integrations.")]
    assert integrations == ["sentry_sdk.integrations.dedupe"]
