from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.config import Secret
from dovvy.gateway import create_gateway
from dovvy.notify import retry_pending
from dovvy.runtime import Runtime
from tests.conftest import BASE_URL
from tests.contract import Contract, ContractClient
from tests.webhook_server import WebhookServer, webhook_server

TRAINING = {
    "name": "Ana Diaz",
    "email": "ana@example.com",
    "interested_certification": "Rescue Diver",
}
TRIP = {"name": "Sam Lee", "email": "sam@example.com", "destination": "Raja Ampat", "group_size": 4}


def lead_rows(runtime: Runtime) -> list[list[Any]]:
    rows: list[list[Any]] = runtime.pool.run(
        lambda conn: conn.run(
            "SELECT type, name, email, phone, request_details, diver_profile, session_id, "
            "notification_status, notification_attempts, notification_error FROM leads ORDER BY created_at"
        )
    )
    return rows


@pytest.mark.parametrize(
    ("lead_type", "data", "details"),
    [
        pytest.param("training", TRAINING, {"interested_certification": "Rescue Diver"}, id="training"),
        pytest.param("trip", TRIP, {"destination": "Raja Ampat", "group_size": 4}, id="trip"),
    ],
)
def test_lead_is_stored(
    api: ContractClient,
    runtime: Runtime,
    lead_type: str,
    data: dict[str, Any],
    details: dict[str, Any],
) -> None:
    response = api.post("/api/leads", json={"type": lead_type, "data": data})
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    uuid.UUID(body["lead_id"])
    [row] = lead_rows(runtime)
    assert row[:7] == [lead_type, data["name"], data["email"], None, details, None, None]
    assert row[7] == "skipped"  # no notifier configured


VALID_TRIP = {"name": "Sam", "email": "sam@example.com"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"data": TRAINING}, "type", id="type-missing"),
        pytest.param({"type": "wreck", "data": TRAINING}, "type", id="type-unknown"),
        pytest.param({"type": "trip"}, "data", id="data-missing"),
        pytest.param({"type": "trip", "data": "x"}, "data", id="data-not-object"),
        pytest.param({"type": "trip", "data": {"email": "a@b.co"}}, "data.name", id="name-missing"),
        pytest.param({"type": "trip", "data": {**VALID_TRIP, "name": ""}}, "data.name", id="name-empty"),
        pytest.param({"type": "trip", "data": {**VALID_TRIP, "name": "  "}}, "data.name", id="name-blank"),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "name": "n" * 101}}, "data.name", id="name-long"
        ),
        pytest.param({"type": "trip", "data": {"name": "Sam"}}, "data.email", id="email-missing"),
        pytest.param({"type": "trip", "data": {**VALID_TRIP, "email": "sam"}}, "data.email", id="email-bad"),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "email": "a@b"}},
            "data.email",
            id="email-no-tld",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "phone": "1" * 21}},
            "data.phone",
            id="phone-long",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "destination": "d" * 101}},
            "data.destination",
            id="dest-long",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "travel_dates": "t" * 101}},
            "data.travel_dates",
            id="dates-long",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "group_size": 0}},
            "data.group_size",
            id="group-zero",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "group_size": 51}},
            "data.group_size",
            id="group-51",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "group_size": "many"}},
            "data.group_size",
            id="group-text",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "budget": "b" * 51}},
            "data.budget",
            id="budget-long",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "message": "m" * 2001}},
            "data.message",
            id="message-long",
        ),
        pytest.param(
            {"type": "trip", "data": {**VALID_TRIP, "certification_level": "OW"}},
            "data.certification_level",
            id="trip-with-training-field",
        ),
        pytest.param(
            {"type": "training", "data": {**VALID_TRIP, "certification_level": "c" * 51}},
            "data.certification_level",
            id="cert-long",
        ),
        pytest.param(
            {"type": "training", "data": {**VALID_TRIP, "interested_certification": "c" * 51}},
            "data.interested_certification",
            id="interest-long",
        ),
        pytest.param(
            {"type": "training", "data": {**VALID_TRIP, "preferred_location": "p" * 101}},
            "data.preferred_location",
            id="location-long",
        ),
        pytest.param(
            {"type": "training", "data": {**VALID_TRIP, "group_size": 2}},
            "data.group_size",
            id="training-with-trip-field",
        ),
        pytest.param(
            {"type": "trip", "data": VALID_TRIP, "session_id": "abc"},
            "session_id",
            id="session-id-bad",
        ),
        pytest.param({"type": "trip", "data": VALID_TRIP, "extra": 1}, "extra", id="unknown-top-field"),
    ],
)
def test_bad_leads_are_422_naming_the_field_and_store_nothing(
    api: ContractClient, runtime: Runtime, body: dict[str, Any], field: str
) -> None:
    response = api.post("/api/leads", json=body)
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["code"] == "VALIDATION_ERROR"
    assert field in [item["field"] for item in payload["detail"]]
    assert lead_rows(runtime) == []


JSON = {"Content-Type": "application/json"}


def test_empty_body_is_422(api: ContractClient) -> None:
    response = api.post("/api/leads", content=b"", headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"


def test_malformed_json_is_400(api: ContractClient) -> None:
    response = api.post("/api/leads", content=b'{"type": "trip",', headers=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_JSON"


def test_lead_copies_the_profile_of_a_live_session(api: ContractClient, runtime: Runtime) -> None:
    profile = {"certification_level": "Advanced Open Water", "logged_dives": 40}
    session_id = api.post("/api/sessions", json={"diverProfile": profile}).json()["id"]
    for key, email in (("session_id", "first@example.com"), ("sessionId", "second@example.com")):
        api.post("/api/leads", json={"type": "trip", "data": {**TRIP, "email": email}, key: session_id})
    rows = lead_rows(runtime)
    assert [row[5] for row in rows] == [profile, profile]
    assert [str(row[6]) for row in rows] == [session_id, session_id]


def test_lead_with_unknown_session_is_stored_without_it(api: ContractClient, runtime: Runtime) -> None:
    response = api.post("/api/leads", json={"type": "trip", "data": TRIP, "session_id": str(uuid.uuid4())})
    assert response.status_code == 201
    [row] = lead_rows(runtime)
    assert row[5] is None
    assert row[6] is None


def test_deleting_the_session_keeps_the_lead(api: ContractClient, runtime: Runtime) -> None:
    session_id = api.post("/api/sessions").json()["id"]
    api.post("/api/leads", json={"type": "trip", "data": TRIP, "session_id": session_id})
    api.delete(f"/api/sessions/{session_id}")
    [row] = lead_rows(runtime)
    assert row[6] is None


def test_idempotency_key_makes_retries_safe(api: ContractClient, runtime: Runtime) -> None:
    body = {"type": "training", "data": TRAINING}
    first = api.post("/api/leads", json=body, headers={"Idempotency-Key": "form-42"})
    second = api.post("/api/leads", json=body, headers={"Idempotency-Key": "form-42"})
    assert first.status_code == second.status_code == 201
    assert first.json()["lead_id"] == second.json()["lead_id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(lead_rows(runtime)) == 1


def test_idempotency_key_with_another_body_is_409(api: ContractClient, runtime: Runtime) -> None:
    api.post("/api/leads", json={"type": "trip", "data": TRIP}, headers={"Idempotency-Key": "k-1"})
    other = {"type": "trip", "data": {**TRIP, "group_size": 5}}
    response = api.post("/api/leads", json=other, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 409
    assert response.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(lead_rows(runtime)) == 1


@pytest.mark.parametrize("key", ["", "has space", "k" * 256, "é"])
def test_bad_idempotency_keys_are_422(client: TestClient, runtime: Runtime, key: str) -> None:
    response = client.post(
        "/api/leads", json={"type": "trip", "data": TRIP}, headers={b"Idempotency-Key": key.encode()}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "header.Idempotency-Key"
    assert lead_rows(runtime) == []


@pytest.mark.parametrize("headers", [{"Idempotency-Key": "race"}, {}], ids=["one-key", "no-key"])
def test_concurrent_retries_store_one_lead(runtime: Runtime, headers: dict[str, str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = {"type": "trip", "data": TRIP}
    with TestClient(create_gateway(runtime)) as client:

        def submit(_: int) -> str:
            response = client.post("/api/leads", json=body, headers=headers)
            assert response.status_code == 201
            lead_id: str = response.json()["lead_id"]
            return lead_id

        with ThreadPoolExecutor(max_workers=4) as pool:
            ids = set(pool.map(submit, range(8)))
    assert len(ids) == 1
    assert len(lead_rows(runtime)) == 1


# --- retries without an Idempotency-Key (the web app retries any 5xx, with no key) --------------


def test_the_same_body_again_without_a_key_is_a_replay(api: ContractClient, runtime: Runtime) -> None:
    body = {"type": "trip", "data": {**TRIP, "message": "Two of us, late March"}}
    first = api.post("/api/leads", json=body)
    second = api.post("/api/leads", json=body)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len(lead_rows(runtime)) == 1


def test_new_content_from_the_same_address_is_a_new_lead(api: ContractClient, runtime: Runtime) -> None:
    """A lead is never dropped for its address: the second message says something new."""
    first = api.post("/api/leads", json={"type": "trip", "data": TRIP}).json()
    changed = {**TRIP, "email": str(TRIP["email"]).upper(), "travel_dates": "May"}
    again = api.post("/api/leads", json={"type": "trip", "data": changed})
    assert again.json()["lead_id"] != first["lead_id"]
    assert "idempotent-replayed" not in again.headers
    assert len(lead_rows(runtime)) == 2


def test_someone_elses_request_never_returns_or_suppresses_a_lead(
    api: ContractClient, runtime: Runtime
) -> None:
    """Sending the victim's exact form first, from another client, neither suppresses the
    victim's lead nor tells the sender the victim's lead id."""
    body = {"type": "trip", "data": TRIP}
    with TestClient(create_gateway(runtime), base_url=BASE_URL, client=("203.0.113.9", 4000)) as other:
        attacker = other.post("/api/leads", json=body)
    victim = api.post("/api/leads", json=body)
    assert attacker.status_code == victim.status_code == 201
    assert victim.json()["lead_id"] != attacker.json()["lead_id"]
    assert "idempotent-replayed" not in victim.headers
    assert len(lead_rows(runtime)) == 2


def test_a_replay_is_logged_with_the_lead_it_matched(
    api: ContractClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"type": "trip", "data": TRIP}
    first = api.post("/api/leads", json=body).json()["lead_id"]
    with caplog.at_level("INFO", logger="dovvy.api.leads"):
        api.post("/api/leads", json=body)
    replays = [r for r in caplog.records if r.getMessage() == "lead request replayed"]
    assert [getattr(r, "lead_id", None) for r in replays] == [first]


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(
            {"type": "training", "data": {"name": "Sam", "email": "sam@example.com"}}, id="other-type"
        ),
        pytest.param(
            {"type": "trip", "data": {"name": "Sam", "email": "sam.other@example.com"}}, id="other-address"
        ),
    ],
)
def test_another_address_or_type_is_another_lead(
    api: ContractClient, runtime: Runtime, other: dict[str, Any]
) -> None:
    api.post("/api/leads", json={"type": "trip", "data": {"name": "Sam", "email": "sam@example.com"}})
    assert "idempotent-replayed" not in api.post("/api/leads", json=other).headers
    assert len(lead_rows(runtime)) == 2


@pytest.mark.parametrize("path", ["/api/leads"])
def test_a_filled_honeypot_stores_and_sends_nothing(
    notifying: tuple[ContractClient, Runtime], hook: WebhookServer, path: str
) -> None:
    api, runtime = notifying
    response = api.post(path, json={"type": "trip", "data": TRIP, "website": "http://spam.example"})
    assert response.status_code == 201
    assert response.json()["success"] is True
    uuid.UUID(response.json()["lead_id"])
    assert lead_rows(runtime) == []
    assert hook.deliveries == []


def test_an_empty_honeypot_is_a_normal_lead(api: ContractClient, runtime: Runtime) -> None:
    assert api.post("/api/leads", json={"type": "trip", "data": TRIP, "website": ""}).status_code == 201
    assert len(lead_rows(runtime)) == 1


def test_the_same_body_after_the_window_is_a_new_lead(api: ContractClient, runtime: Runtime) -> None:
    body = {"type": "trip", "data": TRIP}
    first = api.post("/api/leads", json=body).json()["lead_id"]
    runtime.pool.run(lambda conn: conn.run("UPDATE leads SET created_at = now() - interval '11 minutes'"))
    second = api.post("/api/leads", json=body)
    assert second.json()["lead_id"] != first
    assert "idempotent-replayed" not in second.headers


def test_dedupe_window_zero_turns_it_off(runtime: Runtime, contract: Contract) -> None:
    off = Runtime(runtime.settings.replace(lead_dedupe_minutes=0))
    try:
        with TestClient(create_gateway(off), base_url=BASE_URL) as client:
            for _ in range(2):
                assert client.post("/api/leads", json={"type": "trip", "data": TRIP}).status_code == 201
    finally:
        off.close()
    assert len(lead_rows(runtime)) == 2


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_not_declared_json_is_415_and_stores_nothing(
    api: ContractClient, runtime: Runtime, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.post("/api/leads", content=json.dumps({"type": "trip", "data": TRIP}), headers=headers)
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert lead_rows(runtime) == []


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/problem+json"])
def test_json_media_types_with_parameters_are_accepted(api: ContractClient, content_type: str) -> None:
    body = json.dumps({"type": "trip", "data": TRIP})
    response = api.post("/api/leads", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 201


def test_a_retried_lead_is_notified_once(
    notifying: tuple[ContractClient, Runtime], hook: WebhookServer
) -> None:
    api, runtime = notifying
    for _ in range(3):
        assert api.post("/api/leads", json={"type": "trip", "data": TRIP}).status_code == 201
    assert len(hook.deliveries) == 1
    assert len(lead_rows(runtime)) == 1


# --- notification -----------------------------------------------------------------------------


@pytest.fixture
def hook() -> Iterator[WebhookServer]:
    with webhook_server() as server:
        yield server


@pytest.fixture
def notifying(
    runtime: Runtime, hook: WebhookServer, contract: Contract
) -> Iterator[tuple[ContractClient, Runtime]]:
    settings = runtime.settings.replace(
        lead_webhook_url=hook.url,
        lead_webhook_secret=Secret("shop-secret"),
        notify_timeout_seconds=2.0,
    )
    notified = Runtime(settings)
    with TestClient(create_gateway(notified), base_url=BASE_URL) as client:
        yield ContractClient(client, contract), notified
    notified.close()


def test_webhook_receives_a_signed_lead(
    notifying: tuple[ContractClient, Runtime], hook: WebhookServer
) -> None:
    api, runtime = notifying
    lead_id = api.post("/api/leads", json={"type": "trip", "data": TRIP}).json()["lead_id"]
    [delivery] = hook.deliveries
    expected = "sha256=" + hmac.new(b"shop-secret", delivery.body, hashlib.sha256).hexdigest()
    assert delivery.headers["X-DovvyBuddy-Signature"] == expected
    assert delivery.headers["Idempotency-Key"] == lead_id
    payload = json.loads(delivery.body)
    assert payload["event"] == "lead.created"
    assert payload["lead"]["id"] == lead_id
    assert payload["lead"]["email"] == TRIP["email"]
    [row] = lead_rows(runtime)
    assert row[7:] == ["sent", 1, None]


def test_failed_webhook_keeps_the_lead_and_retry_sends_it(
    notifying: tuple[ContractClient, Runtime], hook: WebhookServer, caplog: pytest.LogCaptureFixture
) -> None:
    api, runtime = notifying
    hook.status = 500
    response = api.post("/api/leads", json={"type": "trip", "data": TRIP})
    assert response.status_code == 201
    [row] = lead_rows(runtime)
    assert row[7:] == ["failed", 1, "webhook: HTTP 500"]
    assert "sam@example.com" not in caplog.text  # personal data never reaches the logs

    hook.status = 204
    assert retry_pending(runtime.pool, runtime.notifiers, max_attempts=5) == (1, 0)
    [row] = lead_rows(runtime)
    assert row[7:] == ["sent", 2, None]
    assert len(hook.deliveries) == 2
    assert retry_pending(runtime.pool, runtime.notifiers, max_attempts=5) == (0, 0)


def test_unreachable_webhook_does_not_fail_the_request(runtime: Runtime) -> None:
    settings = runtime.settings.replace(
        lead_webhook_url="http://127.0.0.1:9/unreachable",
        lead_webhook_secret=Secret("s"),
        notify_timeout_seconds=0.5,
    )
    notified = Runtime(settings)
    with TestClient(create_gateway(notified)) as client:
        response = client.post("/api/leads", json={"type": "training", "data": TRAINING})
    notified.close()
    assert response.status_code == 201
    [row] = lead_rows(runtime)
    assert row[7:] == ["failed", 1, "webhook: request failed (ConnectError)"]


def test_retry_gives_up_after_max_attempts(
    notifying: tuple[ContractClient, Runtime], hook: WebhookServer
) -> None:
    api, runtime = notifying
    hook.status = 503
    api.post("/api/leads", json={"type": "trip", "data": TRIP})
    assert retry_pending(runtime.pool, runtime.notifiers, max_attempts=3) == (0, 1)
    assert retry_pending(runtime.pool, runtime.notifiers, max_attempts=3) == (0, 1)
    assert retry_pending(runtime.pool, runtime.notifiers, max_attempts=3) == (0, 0)
    assert len(hook.deliveries) == 3


def test_a_lead_naming_a_session_being_deleted_is_kept_without_the_link(
    api: ContractClient, runtime: Runtime
) -> None:
    import threading

    from dovvy.db.pool import Pool

    session_id = api.post("/api/sessions", json={}).json()["id"]
    other = Pool(runtime.pool.params, max_size=1)
    answers: list[Any] = []
    with other.connection() as conn:
        conn.run("BEGIN")
        conn.run("DELETE FROM sessions WHERE id = CAST(:id AS uuid)", id=session_id)
        # The lead arrives while the deletion is still open, then the deletion commits.
        worker = threading.Thread(
            target=lambda: answers.append(
                api.post("/api/leads", json={"type": "trip", "data": TRIP, "session_id": session_id})
            )
        )
        worker.start()
        worker.join(timeout=0.5)
        conn.run("COMMIT")
    worker.join(timeout=10)
    other.close()
    assert answers[0].status_code == 201
    [row] = lead_rows(runtime)
    assert row[6] is None


def test_line_breaks_in_single_line_fields_are_folded(api: ContractClient, runtime: Runtime) -> None:
    """These fields become single lines of the shop's e-mail: a CR/LF would forge a header or a
    line of its own ("Bcc: ...")."""
    data = {
        **TRIP,
        "name": "Ana\r\nBcc: victim@example.com",
        "phone": "+60\n123",
        "destination": "Tioman\u2028Reply-To: x",
    }
    assert api.post("/api/leads", json={"type": "trip", "data": data}).status_code == 201
    [row] = lead_rows(runtime)
    assert row[1] == "Ana Bcc: victim@example.com"
    assert row[3] == "+60 123"
    assert row[4]["destination"] == "Tioman Reply-To: x"


def test_a_honeypot_of_spaces_is_filled(api: ContractClient, runtime: Runtime) -> None:
    response = api.post("/api/leads", json={"type": "trip", "data": TRIP, "website": "   "})
    assert response.status_code == 201
    assert lead_rows(runtime) == []


def test_the_retry_job_reports_how_long_the_oldest_lead_has_waited(
    notifying: tuple[ContractClient, Runtime], hook: WebhookServer
) -> None:
    from dovvy.jobs import retry_leads

    api, runtime = notifying
    assert retry_leads(runtime)["oldest_waiting_s"] == 0
    hook.status = 503
    api.post("/api/leads", json={"type": "trip", "data": TRIP})
    # An hour old and still owed its notification: what the lead-delivery alert watches.
    runtime.pool.run(lambda conn: conn.run("UPDATE leads SET created_at = now() - interval '1 hour'"))
    waited = retry_leads(runtime)
    assert waited["failed"] == 1
    assert 3600 <= waited["oldest_waiting_s"] < 3700
    hook.status = 204
    assert retry_leads(runtime)["oldest_waiting_s"] == 0


def test_replaying_sends_the_leads_that_ran_out_of_attempts(
    notifying: tuple[ContractClient, Runtime], hook: WebhookServer
) -> None:
    from dovvy.jobs import JobHandlers

    api, runtime = notifying
    hook.status = 503
    api.post("/api/leads", json={"type": "trip", "data": TRIP})
    attempts = runtime.settings.notify_max_attempts
    for _ in range(attempts):
        retry_pending(runtime.pool, runtime.notifiers, max_attempts=attempts)
    assert retry_pending(runtime.pool, runtime.notifiers, max_attempts=attempts) == (0, 0)  # given up
    hook.status = 204
    result = JobHandlers(runtime).run({"job": "replay-leads"})
    assert (result["reopened"], result["sent"], result["failed"]) == (1, 1, 0)
    [row] = lead_rows(runtime)
    assert row[7] == "sent"
    assert JobHandlers(runtime).run({"job": "replay-leads"})["reopened"] == 0
