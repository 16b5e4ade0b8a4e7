"""The red-team cases, kept as a suite that runs over real HTTP against a running gateway.

`make test` runs them against a gateway it starts (abuse limits on, small allowances); `make redteam`
(or `REDTEAM_URL=http://host:port pytest tests/test_redteam.py`) runs them against one you started,
`make run` say. Each case is something an attacker tried; the hardening tests next to the code fix
each at its root, these check the whole deployment answers as it should. The cases that need a
known allowance run only against the gateway the suite starts itself.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from dovvy.db.pool import Pool
from dovvy.runtime import Runtime
from tests.conftest import ROOT
from tests.live_gateway import serving

LEADS_PER_HOUR = 3


@dataclass
class Target:
    url: str
    own: bool  # started by this suite: its allowances are the ones below
    pool: Pool | None = None  # the suite's own gateway's database, to see what was stored

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", json=body, timeout=30, **kwargs)

    def raw(self, path: str, content: bytes | str, **headers: str) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", content=content, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    given = os.environ.get("REDTEAM_URL")
    if given:
        yield Target(given.rstrip("/"), own=False)
        return
    chat_database_url: str = request.getfixturevalue("chat_database_url")
    settings = Settings(
        database_url=Secret(chat_database_url),
        seed_file=DESTINATIONS_FILE,
        content_dir=ROOT / "content",
        rate_limits=True,
        rate_leads_per_hour=LEADS_PER_HOUR,
    )
    runtimes: list[Runtime] = []
    with serving(settings, configure=runtimes.append) as url:
        yield Target(url, own=True, pool=runtimes[0].pool)


@pytest.fixture(autouse=True)
def fresh_allowances(target: Target) -> None:
    """On the suite's own gateway each case starts with full allowances (every request comes from
    127.0.0.1), so none is skipped for one another spent."""
    if target.pool is not None:
        target.pool.run(lambda conn: conn.run("TRUNCATE rate_counters"), transaction=False)


def _own(target: Target) -> None:
    if not target.own:
        pytest.skip("needs the allowances of the gateway this suite starts")


def _lead(email: str, note: str) -> dict[str, Any]:
    return {"type": "trip", "data": {"name": "Red Team", "email": email, "message": note}}


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    body: dict[str, Any] = response.json()
    assert set(body) == {"detail", "code"}
    return body


def test_a_forwarded_for_header_does_not_choose_the_clients_identity(target: Target) -> None:
    """Each request naming a new X-Forwarded-For address was a new client with a fresh allowance."""
    _own(target)
    note = uuid.uuid4().hex
    statuses = [
        target.post(
            "/api/leads",
            _lead(f"xff-{note}@example.com", f"#{n}"),
            headers={"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": f"for=198.51.100.{n}"},
        ).status_code
        for n in range(LEADS_PER_HOUR + 1)
    ]
    assert statuses[-1] == 429
    assert statuses.count(201) <= LEADS_PER_HOUR


def test_refused_posts_spend_no_allowance(target: Target) -> None:
    """Cross-site text/plain posts need no preflight: counted, any page could lock a visitor out."""
    _own(target)
    for _ in range(LEADS_PER_HOUR + 3):
        assert target.raw("/api/leads", "x", **{"Content-Type": "text/plain"}).status_code == 415
        assert target.post("/api/leads", {"type": "nope"}).status_code == 422


def test_a_replay_never_hands_back_another_request_s_lead(target: Target) -> None:
    """Dedupe keyed on the e-mail let anyone learn or suppress a victim's lead."""
    email = f"victim-{uuid.uuid4().hex}@example.com"
    first = target.post("/api/leads", _lead(email, "I would like to book"), headers={"Idempotency-Key": "a1"})
    probe = target.post("/api/leads", _lead(email, "probing"), headers={"Idempotency-Key": "b2"})
    if first.status_code == 429 or probe.status_code == 429:
        pytest.skip("the lead allowance is spent")
    assert (first.status_code, probe.status_code) == (201, 201)
    assert probe.json()["lead_id"] != first.json()["lead_id"]
    assert "idempotent-replayed" not in probe.headers
    reused = target.post("/api/leads", _lead(email, "other content"), headers={"Idempotency-Key": "a1"})
    if reused.status_code != 429:
        assert _error(reused, 409)["code"] == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.parametrize(
    ("path", "content"),
    [
        pytest.param("/api/leads", '{"\\ud800": 1}', id="lone-surrogate-key"),
        pytest.param("/api/sessions", '{"diverProfile": {"x\\u0000": 1}}', id="nul-in-profile-key"),
        pytest.param("/api/chat", '{"message": "hi", "sessionState": {"\\u0000": true}}', id="nul-in-state"),
        pytest.param("/api/sessions", "[" * 5000 + "]" * 5000, id="deep-nesting"),
        pytest.param("/api/chat", '{"message": 1e999}', id="infinite-number"),
        pytest.param(
            "/api/leads",
            '{"type": "trip", "data": {"name": "A", "email": "a@b.co", "group_size": true}}',
            id="bool-as-number",
        ),
    ],
)
def test_hostile_bodies_get_a_4xx_in_the_api_s_shape(target: Target, path: str, content: str) -> None:
    response = target.raw(path, content, **{"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text[:300]
    assert set(response.json()) == {"detail", "code"}


def test_a_body_of_thousands_of_unknown_keys_gets_a_small_answer(target: Target) -> None:
    """A 64 KiB body of unknown keys answered 570 KB."""
    body = {f"k{n}": 1 for n in range(5000)}
    response = target.post("/api/sessions", body)
    detail = _error(response, 422)["detail"]
    assert len(detail) <= 21
    assert len(response.content) < 5_000


def test_interests_cannot_grow_without_bound(target: Target) -> None:
    many = {"diverProfile": {"interests": [f"reef {n}" for n in range(500)]}}
    assert _error(target.post("/api/sessions", many), 422)["code"] == "VALIDATION_ERROR"


def test_an_idempotency_key_the_contract_does_not_allow_is_refused(target: Target) -> None:
    response = target.post(
        "/api/leads", _lead("k@example.com", "x"), headers={"Idempotency-Key": "has spaces"}
    )
    assert _error(response, 422)["detail"][0]["field"] == "header.Idempotency-Key"


def test_the_emergency_follow_up_cannot_be_silenced_by_the_client(target: Target) -> None:
    """A client listing every follow-up as already asked silenced the emergency's check-in."""
    state = {"asked_follow_ups": ["emergency_help", "certification", "destination", "dates"]}
    message = "my buddy surfaced 10 min ago and now his arm is numb and he feels dizzy"
    response = target.post("/api/chat", {"message": message, "sessionState": state})
    if response.status_code == 429:
        pytest.skip("the chat allowance is spent")
    assert response.status_code == 200
    answer = response.json()
    assert answer["agentType"] == "emergency"
    assert answer["followUpQuestion"].startswith("Are you or your buddy with someone")


def test_a_client_hanging_up_mid_body_leaves_the_gateway_serving(target: Target) -> None:
    """A disconnect mid-body was logged as a 500 (anyone could inflate the error-rate alarm); here:
    the gateway carries on and answers the next request."""
    host, port = target.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n" + json.dumps({"type": "trip"}).encode()
        )
    assert httpx.get(f"{target.url}/health", timeout=10).status_code == 200


def test_line_breaks_in_a_lead_cannot_forge_lines_of_the_shop_s_e_mail(target: Target) -> None:
    lead = _lead(f"crlf-{uuid.uuid4().hex}@example.com", "hello")
    lead["data"]["name"] = "Sam\r\nBcc: everyone@example.com"
    response = target.post("/api/leads", lead)
    if response.status_code == 429:
        pytest.skip("the lead allowance is spent")
    assert response.status_code == 201
    if target.pool is None:
        return
    [[name]] = target.pool.run(
        lambda conn: conn.run("SELECT name FROM leads WHERE email = :e", e=lead["data"]["email"])
    )
    assert name == "Sam Bcc: everyone@example.com"
