"""Input PostgreSQL cannot store or Python cannot parse safely: a clear 4xx, never a 500, nothing stored."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dovvy.runtime import Runtime

JSON = {"Content-Type": "application/json"}
LEAD_START = '{"type": "trip", "data": {"name": "Ana", "email": "ana@example.com"'


def stored_leads(runtime: Runtime) -> int:
    [[count]] = runtime.pool.run(lambda conn: conn.run("SELECT count(*) FROM leads"), transaction=False)
    return int(count)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/api/chat", '{"message": "hi\\u0000there"}', "message", id="chat-message"),
        pytest.param("/api/leads", LEAD_START + ', "phone": "123\\u0000"}}', "data.phone", id="lead-phone"),
        pytest.param(
            "/api/leads", LEAD_START + ', "message": "\\u0000"}}', "data.message", id="lead-message"
        ),
        pytest.param(
            "/api/sessions",
            '{"diverProfile": {"last_dive": "May\\u00002020"}}',
            "diverProfile.last_dive",
            id="profile-value",
        ),
        pytest.param(
            "/api/sessions", '{"diverProfile": {"x\\u0000": 1}}', "diverProfile.x\x00", id="profile-key"
        ),
        pytest.param("/api/chat", '{"message": "\\ud800 lone"}', "message", id="lone-surrogate"),
        # The 422 names the key: a lone surrogate in it is sent back escaped (it gave a 500).
        pytest.param("/api/leads", '{"\\ud800": 1}', "\\ud800", id="lone-surrogate-key-lead"),
        pytest.param(
            "/api/chat",
            '{"message": "hi", "sessionState": {"\\udfffx": 1}}',
            "sessionState.\\udfffx",
            id="lone-surrogate-key-state",
        ),
        pytest.param("/api/sessions", '{"\\ud83d": 1}', "\\ud83d", id="lone-surrogate-key-session"),
    ],
)
def test_nul_and_lone_surrogates_are_422_naming_the_field(
    client: TestClient, runtime: Runtime, path: str, body: str, field: str
) -> None:
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == field
    assert stored_leads(runtime) == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"message": NaN}', id="nan"),
        pytest.param('{"message": Infinity}', id="infinity"),
        pytest.param('{"message": -Infinity}', id="minus-infinity"),
        pytest.param(
            '{"type": "trip", "data": {"name": "A", "email": "a@b.co", "group_size": 1e999}}', id="1e999"
        ),
        pytest.param("[" * 5000 + "]" * 5000, id="deep-5000"),
        pytest.param('{"a": ' * 40 + "1" + "}" * 40, id="deep-40"),
    ],
)
@pytest.mark.parametrize("path", ["/api/chat", "/api/leads", "/api/sessions"])
def test_numbers_json_cannot_hold_and_deep_nesting_are_400(
    client: TestClient, runtime: Runtime, path: str, body: str
) -> None:
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "MALFORMED_JSON"
    assert stored_leads(runtime) == 0


def test_nesting_within_the_limit_is_read(client: TestClient) -> None:
    nested = '{"a": ' * 20 + "1" + "}" * 20
    body = '{"diverProfile": {"extra": ' + nested + "}}"
    response = client.post("/api/sessions", content=body, headers=JSON)
    assert response.status_code == 201


def test_a_body_of_many_unknown_keys_gets_a_short_answer(client: TestClient) -> None:
    body = "{" + ", ".join(f'"k{n:05d}{"x" * 40}": 1' for n in range(1200)) + "}"
    assert len(body) > 60_000
    response = client.post("/api/sessions", content=body, headers=JSON)
    assert response.status_code == 422
    assert len(response.content) < 6_000
    detail = response.json()["detail"]
    assert len(detail) == 21
    assert detail[-1] == {"field": "body", "message": "and 1180 more problems", "type": "too_many"}
