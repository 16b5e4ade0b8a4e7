"""Personal data never reaches a log: marked values sent through every endpoint, failing paths
included, are searched for in the application's JSON log lines and in PostgreSQL's own log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.bootstrap import prepare
from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from dovvy.db.embedded import EmbeddedPostgres
from dovvy.gateway import create_gateway
from dovvy.logs import JsonFormatter
from dovvy.runtime import Runtime

EMAIL = "pii.q7f3a@example.com"
PHONE = "+60 7733 0042"
NAME = "Quentin Piimark"
WORDS = "whisper-q7f3a"


def test_marked_personal_data_is_in_no_log(
    own_server: tuple[EmbeddedPostgres, str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, url = own_server
    settings = Settings(database_url=Secret(url), seed_file=DESTINATIONS_FILE, rate_limits=False)
    prepare(settings)
    runtime = Runtime(settings)
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = [EMAIL, PHONE, NAME, WORDS]
    lead: dict[str, Any] = {
        "type": "trip",
        "data": {"name": NAME, "email": EMAIL, "phone": PHONE, "message": f"call me {WORDS}"},
    }
    with TestClient(create_gateway(runtime), raise_server_exceptions=False) as client:
        session = client.post("/api/sessions", json={"diverProfile": {"destination": WORDS}}).json()["id"]
        secrets.append(session)
        client.post(
            "/api/chat", json={"message": f"I'm {NAME}, email {EMAIL}. {WORDS}", "sessionId": session}
        )
        client.post("/api/chat/stream", json={"message": f"my phone is {PHONE}", "sessionId": session})
        client.get(f"/api/sessions/{session}")
        # A path nobody serves, carrying an address: 404, and the path is not logged as written.
        assert client.get(f"/api/users/{EMAIL}/leads").status_code == 404
        assert client.post("/api/leads", json={**lead, "session_id": session}).status_code == 201
        # Failing paths: invalid fields, NUL characters, an unknown session, a spent honeypot.
        client.post("/api/leads", json={**lead, "data": {**lead["data"], "email": f"{WORDS}@"}})
        client.post("/api/leads", json={**lead, "data": {**lead["data"], "message": f"{WORDS}\x00"}})
        client.post("/api/chat", json={"message": WORDS, "sessionId": "0b8f3c1e-2d4a-4f6b-9c8d-1e2f3a4b5c6d"})
        client.post("/api/leads", json={**lead, "website": WORDS})
        # A database error quoting the diver's values (PostgreSQL's own message for a failed cast
        # repeats the input): a 500 that must not carry them anywhere.
        from dovvy.db import leads as leads_repo

        def failing_insert(conn: Any, new: Any, **_: Any) -> Any:
            conn.run("SELECT CAST(:value AS integer)", value=f"{new.email} {new.phone}")

        monkeypatch.setattr(leads_repo, "insert", failing_insert)
        failed = client.post("/api/leads", json={**lead, "data": {**lead["data"], "email": "other." + EMAIL}})
        assert failed.status_code == 500
        assert not any(secret in failed.text for secret in secrets)
        client.delete(f"/api/sessions/{session}")
    runtime.close()
    formatter = JsonFormatter()
    # Everything the server side logged (the test client's own request lines are not the app's).
    app_log = "\n".join(formatter.format(r) for r in caplog.records if not r.name.startswith("httpx"))
    assert "unhandled error" in app_log  # the failure was logged, without the values
    database_log = (server.pgdata / "log").read_text(errors="replace")
    assert database_log  # the server's log was read
    for secret in secrets:
        assert secret not in app_log, secret
        assert secret not in database_log, secret
