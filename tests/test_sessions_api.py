from __future__ import annotations

import json
import uuid

import pytest

from dovvy.runtime import Runtime
from tests.contract import ContractClient


def test_create_without_body_starts_an_empty_session(api: ContractClient) -> None:
    response = api.post("/api/sessions")
    assert response.status_code == 201
    body = response.json()
    assert body["conversation_history"] == []
    assert body["diver_profile"] == {}
    assert response.headers["location"] == f"/api/sessions/{body['id']}"


@pytest.mark.parametrize("key", ["diverProfile", "diver_profile"])
def test_create_keeps_the_diver_profile_under_either_spelling(api: ContractClient, key: str) -> None:
    profile = {"certification_level": "Open Water", "logged_dives": 14}
    created = api.post("/api/sessions", json={key: profile}).json()
    fetched = api.get(f"/api/sessions/{created['id']}").json()
    assert fetched["diver_profile"] == profile
    assert fetched["id"] == created["id"]


def test_session_expires_24_hours_after_creation_by_default(api: ContractClient) -> None:
    import datetime as dt

    body = api.post("/api/sessions").json()
    created = dt.datetime.fromisoformat(body["created_at"])
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires - created == dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"diverProfile": "diver"}, "diverProfile", id="profile-not-object"),
        pytest.param({"unexpected": 1}, "unexpected", id="unknown-field"),
        pytest.param([1, 2], "body", id="array-body"),
    ],
)
def test_create_rejects_bad_bodies_naming_the_field(
    api: ContractClient, runtime: Runtime, body: object, field: str
) -> None:
    response = api.post("/api/sessions", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert [item["field"] for item in response.json()["detail"]] == [field]
    count = runtime.pool.run(lambda conn: conn.run("SELECT count(*) FROM sessions"))
    assert count == [[0]]


def test_create_rejects_malformed_json(api: ContractClient) -> None:
    response = api.post("/api/sessions", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_JSON"


@pytest.mark.parametrize(
    "session_id",
    [
        pytest.param(str(uuid.uuid4()), id="unknown"),
        pytest.param("not-a-uuid", id="malformed"),
        pytest.param("1; DROP TABLE sessions", id="injection-shaped"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_missing_sessions_are_404(api: ContractClient, session_id: str, method: str) -> None:
    response = api.request(method, f"/api/sessions/{session_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Session not found", "code": "SESSION_NOT_FOUND"}


def test_expired_session_is_410_until_erased(api: ContractClient, runtime: Runtime) -> None:
    session_id = api.post("/api/sessions").json()["id"]
    runtime.pool.run(
        lambda conn: conn.run(
            "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = CAST(:id AS uuid)",
            id=session_id,
        )
    )
    response = api.get(f"/api/sessions/{session_id}")
    assert response.status_code == 410
    assert response.json() == {"detail": "Session expired; start a new one", "code": "SESSION_EXPIRED"}
    # Erasing still works on an expired session, and then it is unknown.
    assert api.delete(f"/api/sessions/{session_id}").status_code == 204
    assert api.get(f"/api/sessions/{session_id}").json()["code"] == "SESSION_NOT_FOUND"


def test_delete_erases_the_conversation(api: ContractClient, runtime: Runtime) -> None:
    session_id = api.post("/api/sessions", json={"diverProfile": {"name": "Kai"}}).json()["id"]
    response = api.delete(f"/api/sessions/{session_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/api/sessions/{session_id}").status_code == 404
    rows = runtime.pool.run(
        lambda conn: conn.run("SELECT 1 FROM sessions WHERE id = CAST(:id AS uuid)", id=session_id)
    )
    assert rows == []


def test_session_expiry_follows_settings(runtime: Runtime, contract: object) -> None:
    import datetime as dt

    from starlette.testclient import TestClient

    from dovvy.gateway import create_gateway

    short = Runtime(runtime.settings.replace(session_expiry_hours=2))
    with TestClient(create_gateway(short)) as client:
        body = client.post("/api/sessions").json()
    short.close()
    created = dt.datetime.fromisoformat(body["created_at"])
    assert dt.datetime.fromisoformat(body["expires_at"]) - created == dt.timedelta(hours=2)


def test_an_old_session_with_an_unbounded_profile_reads_and_is_copied_bounded(
    api: ContractClient, runtime: Runtime
) -> None:
    """A row written before interests were bounded (20,000 of them): its GET answered megabytes, and
    a lead linked to it copied them all. Both now hold the newest MAX_INTERESTS."""
    from dovvy.profile_limits import MAX_INTERESTS

    session_id = api.post("/api/sessions").json()["id"]
    huge = json.dumps({"interests": [f"i{n}" for n in range(20_000)], "logged_dives": 5})
    runtime.pool.run(
        lambda conn: conn.run(
            "UPDATE sessions SET diver_profile = CAST(:p AS jsonb) WHERE id = CAST(:id AS uuid)",
            p=huge,
            id=session_id,
        )
    )
    profile = api.get(f"/api/sessions/{session_id}").json()["diver_profile"]
    assert len(profile["interests"]) == MAX_INTERESTS
    assert profile["logged_dives"] == 5
    lead = {"type": "trip", "data": {"name": "Old", "email": "old@example.com"}, "sessionId": session_id}
    lead_id = api.post("/api/leads", json=lead).json()["lead_id"]
    [[copied]] = runtime.pool.run(
        lambda conn: conn.run("SELECT diver_profile FROM leads WHERE id = CAST(:id AS uuid)", id=lead_id)
    )
    assert len(copied["interests"]) == MAX_INTERESTS
