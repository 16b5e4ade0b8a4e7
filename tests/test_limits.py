"""Abuse limits counted in PostgreSQL: per client address and per session, 429 with Retry-After."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.gateway import create_gateway
from dovvy.runtime import Runtime
from tests.conftest import BASE_URL
from tests.contract import Contract, ContractClient

LEAD_DATA = {"name": "Sam", "email": "sam@example.com"}
LEAD: dict[str, Any] = {"type": "trip", "data": LEAD_DATA}
# Each test here sends its requests within this many seconds.
WINDOW_MARGIN_S = 10.0


@pytest.fixture
def limited(runtime: Runtime, contract: Contract) -> Iterator[tuple[ContractClient, Runtime]]:
    """The gateway behind one trusted proxy (it appends the caller's address), with small limits."""
    settings = runtime.settings.replace(
        rate_limits=True,
        trusted_proxy_hops=1,
        rate_chat_per_minute=3,
        rate_chat_per_session_minute=2,
        rate_leads_per_hour=2,
        rate_sessions_per_hour=3,
    )
    limited_runtime = Runtime(settings)
    limited_runtime.pool.run(lambda conn: conn.run("TRUNCATE rate_counters"))
    # Windows are whole minutes and hours (`date_bin` from 2000-01-01): a test whose requests
    # straddle a minute starts a fresh count halfway (seen: [200, 200, 200] at 09:12:00).
    left = 60 - time.time() % 60
    if left < WINDOW_MARGIN_S:
        time.sleep(left + 0.05)
    with TestClient(create_gateway(limited_runtime), base_url=BASE_URL) as client:
        yield ContractClient(client, contract), limited_runtime
    limited_runtime.close()


def from_ip(ip: str, spoofed: str | None = None) -> dict[str, str]:
    chain = f"{spoofed}, {ip}" if spoofed else ip
    return {"X-Forwarded-For": chain}


def post_lead(api: ContractClient, ip: str, n: int) -> Any:
    return api.post(
        "/api/leads", json={**LEAD, "data": {**LEAD_DATA, "message": f"#{n}"}}, headers=from_ip(ip)
    )


def test_over_the_lead_limit_is_429_with_retry_after(limited: tuple[ContractClient, Runtime]) -> None:
    api, _ = limited
    assert [post_lead(api, "203.0.113.5", n).status_code for n in range(2)] == [201, 201]
    over = post_lead(api, "203.0.113.5", 3)
    assert over.status_code == 429
    assert over.json()["code"] == "RATE_LIMITED"
    assert 0 < int(over.headers["retry-after"]) <= 3600
    assert over.headers["ratelimit-limit"] == "2"
    assert over.headers["ratelimit-remaining"] == "0"
    # Another address is not affected.
    assert post_lead(api, "198.51.100.7", 1).status_code == 201


def test_a_chat_burst_is_limited_per_address(limited: tuple[ContractClient, Runtime]) -> None:
    api, _ = limited
    session_id = api.post("/api/sessions", json={}, headers=from_ip("203.0.113.9")).json()["id"]
    codes = []
    for n in range(5):
        # Two sessions' worth, so the per-address limit is the one reached.
        body = {"message": f"how do I clear my mask {n}", "sessionId": session_id if n % 2 else None}
        codes.append(api.post("/api/chat", json=body, headers=from_ip("203.0.113.9")).status_code)
    assert codes.count(429) == 2
    assert api.post("/api/chat", json={"message": "hi"}, headers=from_ip("198.51.100.8")).status_code == 200


def test_a_session_has_its_own_chat_limit(limited: tuple[ContractClient, Runtime]) -> None:
    api, _ = limited
    session_id = api.post("/api/sessions", json={}, headers=from_ip("203.0.113.20")).json()["id"]
    codes = [
        api.post(
            "/api/chat", json={"message": "hi", "sessionId": session_id}, headers=from_ip(f"192.0.2.{n}")
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_chat_without_a_session_counts_as_creating_one(limited: tuple[ContractClient, Runtime]) -> None:
    api, _ = limited
    ip = "203.0.113.30"
    assert api.post("/api/sessions", json={}, headers=from_ip(ip)).status_code == 201
    assert api.post("/api/chat", json={"message": "hi"}, headers=from_ip(ip)).status_code == 200
    assert api.post("/api/chat", json={"message": "hi"}, headers=from_ip(ip)).status_code == 200
    assert api.post("/api/sessions", json={}, headers=from_ip(ip)).status_code == 429


def test_a_forged_forwarded_address_does_not_escape_the_limit(
    limited: tuple[ContractClient, Runtime],
) -> None:
    api, _ = limited
    for n in range(2):
        post_lead(api, "203.0.113.40", n)
    forged = api.post(
        "/api/leads", json=LEAD, headers=from_ip("203.0.113.40", spoofed=str(uuid.uuid4().int % 250))
    )
    assert forged.status_code == 429


def test_addresses_are_stored_hashed(limited: tuple[ContractClient, Runtime]) -> None:
    api, runtime = limited
    post_lead(api, "203.0.113.50", 1)
    keys = runtime.pool.run(lambda conn: conn.run("SELECT key FROM rate_counters"), transaction=False)
    assert keys
    assert not any("203.0.113.50" in key for [key] in keys)


# --- who the client is --------------------------------------------------------------------------


def test_a_client_cannot_choose_its_identity_with_its_own_forwarded_line(
    limited: tuple[ContractClient, Runtime],
) -> None:
    """The client's own X-Forwarded-For line comes first; the proxy's line with the real address
    comes last. Reading only the first line would give every request a fresh identity."""
    api, _ = limited
    statuses = []
    for n in range(3):
        statuses.append(
            api.client.post(
                "/api/leads",
                json={**LEAD, "data": {**LEAD_DATA, "message": f"#{n}"}},
                headers=[("X-Forwarded-For", f"10.9.8.{n}"), ("X-Forwarded-For", "203.0.113.77")],
            ).status_code
        )
    assert statuses == [201, 201, 429]


def test_an_ipv6_client_is_its_slash_64(limited: tuple[ContractClient, Runtime]) -> None:
    api, _ = limited
    same_home = ["2001:db8:1:2::1", "2001:db8:1:2:aaaa::9", "2001:db8:1:2:ffff:ffff:ffff:fffe"]
    assert [post_lead(api, ip, n).status_code for n, ip in enumerate(same_home)] == [201, 201, 429]
    assert post_lead(api, "2001:db8:1:3::1", 9).status_code == 201


def test_the_local_server_ignores_forwarding_headers(runtime: Runtime) -> None:
    """`dovvy serve` (uvicorn on loopback, no trusted proxy): whatever X-Forwarded-For a request
    carries (a tunnel or a port-forward would pass it through), it is the same client."""
    import httpx

    from tests.live_gateway import serving

    settings = runtime.settings.replace(rate_limits=True, trusted_proxy_hops=0, rate_leads_per_hour=2)
    runtime.pool.run(lambda conn: conn.run("TRUNCATE rate_counters"))
    with serving(settings) as base:
        statuses = [
            httpx.post(
                f"{base}/api/leads",
                json={**LEAD, "data": {**LEAD_DATA, "message": f"#{n}"}},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
                timeout=10,
            ).status_code
            for n in range(3)
        ]
    assert statuses == [201, 201, 429]


@pytest.mark.parametrize(
    ("path", "allowed", "valid"),
    [
        pytest.param("/api/leads", 2, LEAD, id="lead"),
        pytest.param("/api/sessions", 3, {}, id="session"),
    ],
)
def test_a_refused_request_never_spends_an_allowance(
    limited: tuple[ContractClient, Runtime], path: str, allowed: int, valid: dict[str, Any]
) -> None:
    """Cross-site text/plain posts need no preflight: were they counted, any page could lock a
    visitor out of the lead form or new sessions. Bodies refused as 415 or 422 cost nothing."""
    api, _ = limited
    visitor = from_ip("203.0.113.40")
    for _ in range(allowed + 3):
        assert (
            api.client.post(path, content="x", headers={**visitor, "Content-Type": "text/plain"}).status_code
            == 415
        )
        assert api.client.post(path, json={"type": "nope"}, headers=visitor).status_code == 422
    accepted = [
        api.post(
            path, json={**valid, "data": {**LEAD_DATA, "message": f"#{n}"}} if valid else {}, headers=visitor
        )
        for n in range(allowed)
    ]
    assert [r.status_code for r in accepted] == [201] * allowed
