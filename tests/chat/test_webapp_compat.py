"""The DovvyBuddy web app's flows, replayed over real HTTP against the local gateway.

Written from the contract the web app's client follows (see docs/frontend.md): JSON bodies with
`Content-Type: application/json`, `credentials: 'include'` from another origin, `sessionState`
with every chat message once follow-ups are on, `metadata.state_updates` merged into that state,
the session dropped on SESSION_NOT_FOUND / SESSION_EXPIRED, and any 5xx retried (leads too).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from dovvy.config import Secret, Settings
from tests.live_gateway import serving

APP_ORIGIN = "https://dovvybuddy.example"
BROWSER = {"Content-Type": "application/json", "Accept": "application/json"}


@pytest.fixture(scope="module")
def gateway(settings_for_compat: Settings) -> Iterator[str]:
    """The gateway on a loopback port, as `make run` serves it, with the web app's origin allowed."""
    with serving(settings_for_compat) as url:
        yield url


@pytest.fixture(scope="module")
def settings_for_compat(chat_database_url: str) -> Settings:
    from dovvy.catalogue import DESTINATIONS_FILE
    from tests.conftest import ROOT

    return Settings(
        database_url=Secret(chat_database_url),
        seed_file=DESTINATIONS_FILE,
        content_dir=ROOT / "content",
        rate_limits=False,
        cors_origins=(APP_ORIGIN,),
    )


@pytest.fixture
def browser(gateway: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway, headers={**BROWSER, "Origin": APP_ORIGIN}, timeout=30) as client:
        yield client


class WebApp:
    """What the web app keeps in localStorage, and how it talks to the API."""

    def __init__(self, client: httpx.Client, follow_ups: bool = True) -> None:
        self.client = client
        self.follow_ups = follow_ups
        self.session_id: str | None = None
        self.state: dict[str, Any] = {}

    def send(self, message: str) -> httpx.Response:
        body: dict[str, Any] = {"message": message}
        if self.session_id:
            body["sessionId"] = self.session_id
        if self.follow_ups:
            body["sessionState"] = self.state
        response = self.client.post("/api/chat", json=body)
        if response.status_code == 200:
            answer = response.json()
            if not self.session_id:
                self.session_id = answer["sessionId"]
            self.state = {**self.state, **answer["metadata"]["state_updates"]}
        elif response.json().get("code") in {"SESSION_NOT_FOUND", "SESSION_EXPIRED"}:
            self.session_id, self.state = None, {}
        return response


def test_a_first_message_then_follow_ups_keep_one_session(browser: httpx.Client) -> None:
    app = WebApp(browser)
    first = app.send("Which dive sites in the Red Sea are good for an advanced diver?")
    assert first.status_code == 200
    answer = first.json()
    assert answer["message"]
    assert "followUpQuestion" in answer
    assert first.headers["access-control-allow-origin"] == APP_ORIGIN
    assert first.headers["access-control-allow-credentials"] == "true"
    second = app.send("and what about the wrecks?")
    assert second.status_code == 200
    assert second.json()["sessionId"] == app.session_id
    assert app.state["location_known"] is True
    assert app.state["last_intent"] == "trip"


def test_an_empty_and_a_populated_state_are_both_fine(browser: httpx.Client) -> None:
    for state in (
        {},
        {
            "cert_level": "OW",
            "context_mode": "learning",
            "location_known": False,
            "conditions_known": False,
            "last_intent": "certification",
            "asked_follow_ups": [],
        },
    ):
        response = browser.post("/api/chat", json={"message": "How deep can I dive?", "sessionState": state})
        assert response.status_code == 200, response.text


def test_the_app_without_follow_ups_sends_no_state(browser: httpx.Client) -> None:
    app = WebApp(browser, follow_ups=False)
    assert app.send("How do I equalise my ears?").status_code == 200
    assert app.send("and on the way up?").status_code == 200


def test_a_reload_continues_with_the_stored_id(gateway: str) -> None:
    with httpx.Client(base_url=gateway, headers=BROWSER) as tab:
        app = WebApp(tab)
        app.send("What does the Open Water course involve?")
        stored_id, stored_state = app.session_id, app.state
    with httpx.Client(base_url=gateway, headers=BROWSER) as reloaded:
        again = WebApp(reloaded)
        again.session_id, again.state = stored_id, stored_state
        response = again.send("and how long does it take?")
        assert response.status_code == 200
        assert response.json()["sessionId"] == stored_id
        history = reloaded.get(f"/api/sessions/{stored_id}").json()["conversation_history"]
        assert len(history) == 4


def test_an_unknown_stored_id_makes_the_app_start_afresh(browser: httpx.Client) -> None:
    app = WebApp(browser)
    app.session_id = str(uuid.uuid4())
    app.state = {"cert_level": "AOW"}
    response = app.send("hello")
    assert response.status_code == 404
    assert response.json()["code"] == "SESSION_NOT_FOUND"
    assert "session" in response.json()["detail"].lower()  # what the app checks when it lacks a code
    assert app.session_id is None
    assert app.send("hello").status_code == 200


@pytest.mark.parametrize(("length", "status"), [(2000, 200), (2001, 422)])
def test_the_longest_message_the_app_allows(browser: httpx.Client, length: int, status: int) -> None:
    message = ("I have a question about my ears when diving " * 60)[:length]
    response = browser.post("/api/chat", json={"message": message, "sessionState": {}})
    assert response.status_code == status


TRAINING_FULL = {
    "name": "Ana Diaz",
    "email": "ana@example.com",
    "phone": "+60 12 345 6789",
    "certification_level": "Open Water",
    "interested_certification": "Advanced Open Water",
    "preferred_location": "Tioman",
    "message": "Weekends only",
}
TRIP_FULL = {
    "name": "Sam Lee",
    "email": "sam@example.com",
    "phone": "+65 9123 4567",
    "destination": "Raja Ampat",
    "travel_dates": "March 2027",
    "group_size": 2,
    "budget": "mid-range",
    "message": "Liveaboard preferred",
}


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        pytest.param("training", TRAINING_FULL, id="training-full"),
        pytest.param("training", {"name": "Ana Diaz", "email": "ana2@example.com"}, id="training-minimal"),
        pytest.param("trip", TRIP_FULL, id="trip-full"),
        pytest.param("trip", {"name": "Sam Lee", "email": "sam2@example.com"}, id="trip-minimal"),
    ],
)
def test_both_lead_forms(browser: httpx.Client, kind: str, data: dict[str, Any]) -> None:
    response = browser.post("/api/leads", json={"type": kind, "data": data})
    assert response.status_code == 201, response.text
    assert response.json()["success"] is True


def test_a_retried_lead_is_stored_once(browser: httpx.Client) -> None:
    """The app retries a lead POST after a 5xx; the first attempt may have been stored already."""
    body = {"type": "trip", "data": {**TRIP_FULL, "email": f"retry-{uuid.uuid4().hex[:8]}@example.com"}}
    ids = {browser.post("/api/leads", json=body).json()["lead_id"] for _ in range(3)}
    assert len(ids) == 1


def test_cross_origin_preflight_and_post_from_the_app(gateway: str) -> None:
    with httpx.Client(base_url=gateway) as raw:
        preflight = raw.options(
            "/api/chat",
            headers={
                "Origin": APP_ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == APP_ORIGIN
        assert preflight.headers["access-control-allow-credentials"] == "true"
        post = raw.post("/api/chat", json={"message": "hi"}, headers={"Origin": APP_ORIGIN})
        assert post.headers["access-control-allow-origin"] == APP_ORIGIN


def test_cross_origin_from_another_site_is_refused(gateway: str) -> None:
    with httpx.Client(base_url=gateway) as raw:
        preflight = raw.options(
            "/api/leads",
            headers={
                "Origin": "https://elsewhere.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 403
        assert "access-control-allow-origin" not in preflight.headers
        # Without a preflight a page can only send text/plain, which is refused before anything.
        simple = raw.post(
            "/api/leads",
            content=b'{"type": "trip", "data": {"name": "X", "email": "x@example.com"}}',
            headers={"Origin": "https://elsewhere.example", "Content-Type": "text/plain"},
        )
        assert simple.status_code == 415
        assert "access-control-allow-origin" not in simple.headers
