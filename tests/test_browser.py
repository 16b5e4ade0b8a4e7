"""The TypeScript client's build (clients/typescript/dist) in headless Chromium against the real
gateway: a page on another origin creates a session, streams two chats through `streamChat`, is
refused a stream in the API's error shape and creates a lead, all with credentials; a page on an
origin the gateway does not list gets nothing. `make client` builds dist/, `make browser` installs
Chromium from Debian's packages; this test fails (never skips) without either.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from dovvy.config import Secret, Settings
from dovvy.providers.llm import FallbackChain, Generation, LLMError, Prompt
from dovvy.providers.llm.offline import OfflineLLM
from dovvy.runtime import Runtime
from tests.conftest import ROOT
from tests.live_gateway import serving as serving_gateway
from tests.local_server import serving as serving_files

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLIENT = ROOT / "clients" / "typescript"
PAGE = Path(__file__).parent / "browser"
# What the static server serves under each prefix: the page, the built client, openapi-fetch's build.
SERVED = {
    "/client/": CLIENT / "dist",
    "/vendor/openapi-fetch/": CLIENT / "node_modules" / "openapi-fetch" / "dist",
    "/": PAGE,
}
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".map": "application/json",
}

EMERGENCY = "my buddy is unconscious and not breathing"  # answered without any model
REPLACED = "How do I clear a flooded mask?"
PAUSE_SECONDS = 1.0
# Longer than the 48 characters the gateway holds back from a model, so part of it is streamed.
PAUSED_MODEL_SAYS = ("Half an answer, sent before the model went quiet ", "and then failed, as models may.")
PROBE_COOKIE = "dovvy_probe=set-by-the-page"
SCENARIO_TIMEOUT_MS = 20_000


class _PausesThenFails:
    """A hosted model that starts an answer, goes quiet, then fails: the gateway must stream the start
    at once, then a `reset` and the offline answer in its place."""

    name = "pausing"
    model = "pausing-1"

    def generate(self, prompt: Prompt) -> Generation:
        raise LLMError("HTTP 500")

    def stream(self, prompt: Prompt) -> Iterator[str]:
        yield from PAUSED_MODEL_SAYS
        time.sleep(PAUSE_SECONDS)
        raise LLMError("connection reset")


def _static_files() -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/":
                path = "/index.html"
            for prefix, folder in SERVED.items():
                name = path.removeprefix(prefix)
                if path.startswith(prefix) and "/" not in name and name not in {"", ".", ".."}:
                    file = folder / name
                    if file.is_file() and file.suffix in TYPES:
                        return self._send(200, TYPES[file.suffix], file.read_bytes())
            return self._send(404, "text/plain", b"not here")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _prerequisites() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make browser` installs Debian's chromium package", pytrace=False
        )
    for needed in (CLIENT / "dist" / "index.js", SERVED["/vendor/openapi-fetch/"] / "index.mjs"):
        if not needed.is_file():
            pytest.fail(f"{needed} is missing: `make client` installs and builds the client", pytrace=False)


def _open(browser: Browser, url: str, problems: list[str]) -> Page:
    """A tab on the test page, once its modules (the built client among them) have loaded; uncaught
    errors on it go to `problems`."""
    page = browser.new_page()
    page.on("pageerror", lambda error: problems.append(f"{url}: {error}"))
    console: list[str] = []  # a refused request or a 404 is logged there too: only shown on failure
    page.on("console", lambda message: console.append(message.text))
    page.goto(url)
    try:
        page.wait_for_function("document.getElementById('status').textContent === 'ready'", timeout=10_000)
    except PlaywrightError:
        pytest.fail(f"the page at {url} did not load its modules: {problems} {console}", pytrace=False)
    return page


def _call(page: Page, function: str, *args: Any) -> Any:
    """Runs one of the page's functions (tests/browser/scenario.js), within SCENARIO_TIMEOUT_MS."""
    return page.evaluate(
        """([name, args, ms]) => Promise.race([
            window[name](...args),
            new Promise((_, fail) => setTimeout(() => fail(new Error(`${name}: no answer in ${ms} ms`)), ms)),
        ])""",
        [function, list(args), SCENARIO_TIMEOUT_MS],
    )


def _names(events: list[dict[str, Any]]) -> list[str]:
    return [e["event"] for e in events]


def _count(runtime: Runtime, sql: str, **params: Any) -> int:
    rows: list[list[int]] = runtime.pool.run(lambda conn: conn.run(sql, **params))
    return rows[0][0]


def test_the_built_client_streams_chats_and_creates_a_lead_from_another_origin(
    settings: Settings, chat_database_url: str
) -> None:
    _prerequisites()
    runtimes: list[Runtime] = []

    def configure(runtime: Runtime) -> None:
        runtime.llm = FallbackChain([_PausesThenFails(), OfflineLLM()])
        runtimes.append(runtime)

    problems: list[str] = []
    with serving_files(_static_files()) as page_url:
        port = urlsplit(page_url).port
        # Two origins on one static server: the gateway lists the first only.
        allowed, unlisted = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
        configured = settings.replace(
            database_url=Secret(chat_database_url), cors_origins=(allowed,), llm_routing=False
        )
        with serving_gateway(configured, configure) as gateway, sync_playwright() as playwright:
            (runtime,) = runtimes
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = _open(browser, f"{allowed}/", problems)
                sent: list[Request] = []
                page.on("request", lambda r: sent.append(r) if r.url.startswith(gateway) else None)
                messages = {"emergency": EMERGENCY, "replaced": REPLACED}
                result = _call(page, "converse", gateway, messages)
                calls = [
                    (f"{r.method} {r.url}", r.all_headers(), r.response())
                    for r in sent
                    if r.method != "OPTIONS"
                ]
                answers = [(call, response.all_headers() if response else {}) for call, _, response in calls]
                leads = runtime.pool.run(
                    lambda conn: conn.run(
                        "SELECT type, request_details FROM leads WHERE session_id = CAST(:id AS uuid)",
                        id=result["sessionId"],
                    )
                )

                sessions = _count(runtime, "SELECT count(*) FROM sessions")
                outsider = _open(browser, f"{unlisted}/", problems)
                trespass = _call(outsider, "trespass", gateway)
                sessions_after_trespass = _count(runtime, "SELECT count(*) FROM sessions")
            finally:
                browser.close()
    assert not problems, problems

    # The emergency answer needs no model: route first, the tokens adding up to the final message.
    emergency = result["emergency"]
    assert _names(emergency)[0] == "route"
    assert emergency[0]["data"]["agent"] == "emergency"
    assert "token" in _names(emergency)
    assert "reset" not in _names(emergency)
    assert _names(emergency)[-1] == "final"
    final = emergency[-1]
    assert final["data"]["sessionId"] == result["sessionId"]
    assert final["answer"] == final["data"]["message"]

    # The model began, paused, failed: the page showed the beginning at once, then a reset emptied
    # the answer and the offline one replaced it. The pause between them shows the stream streams.
    replaced = result["replaced"]
    names = _names(replaced)
    assert names[0] == "route"
    assert "reset" in names, names
    reset, first_token = names.index("reset"), names.index("token")
    shown = [e["answer"] for e in replaced[first_token:reset]]
    assert shown, names
    assert all("".join(PAUSED_MODEL_SAYS).startswith(answer) for answer in shown), shown
    assert len(shown[-1]) > 20, shown
    assert replaced[reset]["answer"] == ""
    assert names[-1] == "final"
    assert replaced[-1]["answer"] == replaced[-1]["data"]["message"]
    assert replaced[-1]["answer"]
    assert not replaced[-1]["answer"].startswith(shown[-1])
    waited_ms = replaced[reset]["at"] - replaced[first_token]["at"]
    assert waited_ms >= 0.7 * PAUSE_SECONDS * 1000, f"the first token came only {waited_ms:.0f} ms early"
    assert replaced[0]["at"] < replaced[-1]["at"]

    # A non-2xx answer is a DovvyApiError carrying the API's body.
    refused = result["refused"]
    assert (refused["name"], refused["status"], refused["code"]) == (
        "DovvyApiError",
        404,
        "SESSION_NOT_FOUND",
    )
    assert refused["detail"] == "Session not found"
    assert refused["isTypeError"] is False
    # The lead, stored with the session it came from.
    assert result["lead"]["status"] == 201, result["lead"]
    uuid.UUID(result["lead"]["data"]["lead_id"])
    assert leads == [["trip", {"destination": "Tulamben", "group_size": 2}]]

    # Every call (session, three streams, lead) carried the page's cookie, and the gateway let the
    # page read each answer with credentials.
    assert len(calls) == 5, [call for call, _, _ in calls]
    for call, headers, _ in calls:
        assert PROBE_COOKIE in headers.get("cookie", ""), f"{call} was sent without the page's cookie"
    for call, headers in answers:
        assert headers.get("access-control-allow-origin") == allowed, call
        assert headers.get("access-control-allow-credentials") == "true", call

    # From an origin not in CORS_ORIGINS, fetch rejects with a TypeError as in any browser, and the
    # refused preflight kept the request from reaching the gateway: no session was created.
    assert trespass["session"]["isTypeError"] is True, trespass
    assert trespass["stream"]["isTypeError"] is True, trespass
    assert sessions_after_trespass == sessions
