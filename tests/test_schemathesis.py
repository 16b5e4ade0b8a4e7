"""The served contract fuzzed against the gateway with schemathesis (pinned in requirements.lock):
every check, the examples, coverage, fuzzing and stateful phases, three fixed seeds. Zero failures.

The abuse limits are on, as deployed, with an allowance no run comes near: every request is counted
in PostgreSQL like any other client's, and none may be answered 429, which would pass the checks
(the contract documents 429) while testing nothing behind the limit. The stateful phase follows the
contract's links: a new session is read, chatted in and erased; a lead is sent again as a retry.
When the first lead had no Idempotency-Key there is none to copy, and schemathesis prints "Failed to
extract data from response" for that link: a note, not a failure; the retry goes without a key, as
the web app's does.

Strings are generated as valid UTF-8 without NUL characters: the API refuses those with a 422
naming the field (tests/test_hostile_input.py), which JSON Schema has no way to state.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from dovvy.runtime import Runtime
from tests.conftest import ROOT
from tests.live_gateway import serving

# Far beyond what one run sends (about 2,000 requests), so no limit is ever reached.
ALLOWANCE = 1_000_000

# What following the links of openapi.yaml must have done at least once in every run: each step of
# the session chain answered as it should (a lead sent again is checked on its own, below).
CHAINS = {
    "read a session": ({"ReadSession", "ReadConversation"}, 200),
    "asked a question in a session": ({"ChatInSession", "StreamInSession", "NextTurn"}, 200),
    "erased a session": ({"EraseSession", "EraseConversation"}, 204),
}


def _scenarios(report: Path) -> list[dict[str, Any]]:
    """What the ndjson report recorded of each scenario: its cases (with the link each followed, if
    any) and their exchanges, both keyed by case id."""
    recorders = []
    with report.open(encoding="utf-8") as lines:
        for line in lines:
            finished = json.loads(line).get("ScenarioFinished")
            if finished is not None and "interactions" in finished["recorder"]:
                recorders.append(finished["recorder"])
    return recorders


def _followed(scenarios: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(link name, request, response) for each request built by following a link."""
    for scenario in scenarios:
        for case_id, case in scenario["cases"].items():
            exchange = scenario["interactions"].get(case_id)
            if not case.get("is_transition_applied") or not exchange or not exchange.get("response"):
                continue
            # "POST /api/sessions -> [201] ReadSession -> GET /api/sessions/{sessionId}"
            name = case["transition"]["id"].split(" -> ")[1].split("] ")[1]
            yield name, exchange["request"], exchange["response"]


@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_the_contract_holds_under_fuzzing(chat_database_url: str, tmp_path: Path, seed: str) -> None:
    settings = Settings(
        database_url=Secret(chat_database_url),
        seed_file=DESTINATIONS_FILE,
        content_dir=ROOT / "content",
        rate_limits=True,
        rate_chat_per_minute=ALLOWANCE,
        rate_chat_per_day=ALLOWANCE,
        rate_chat_per_session_minute=ALLOWANCE,
        rate_leads_per_hour=ALLOWANCE,
        rate_sessions_per_hour=ALLOWANCE,
    )
    runtimes: list[Runtime] = []
    report = tmp_path / "events.ndjson"
    with serving(settings, configure=runtimes.append) as url:
        (runtime,) = runtimes
        runtime.pool.run(lambda conn: conn.run("TRUNCATE rate_counters"))
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                str(ROOT / "openapi.yaml"),
                "--url",
                url,
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--seed",
                seed,
                "--max-examples",
                "100",
                "--generation-allow-x00",
                "false",
                "--generation-codec",
                "utf-8",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--report",
                "ndjson",
                "--report-ndjson-path",
                str(report),
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=tmp_path,
        )
        counted = dict(
            runtime.pool.run(
                lambda conn: conn.run(
                    "SELECT split_part(key, ':', 1), sum(count) FROM rate_counters GROUP BY 1"
                )
            )
        )
        # Spent allowances stay behind otherwise: a later test chatting from 127.0.0.1 on this
        # database got 429 (a day's 200 chats were gone).
        runtime.pool.run(lambda conn: conn.run("TRUNCATE rate_counters"))
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    assert " passed" in summary
    if "failures" in summary.lower().split("summary")[-1]:
        pytest.fail(summary)

    scenarios = _scenarios(report)
    statuses = Counter(
        exchange["response"]["status_code"]
        for scenario in scenarios
        for exchange in scenario["interactions"].values()
        if exchange.get("response")
    )
    assert statuses.total() > 1000, f"the report holds too few exchanges: {statuses}"
    assert statuses[429] == 0, f"rate limited during the run: {statuses}"
    # The limits were on: each one counted this run's requests.
    for limit in ("chat-ip-minute", "chat-ip-day", "chat-session-minute", "lead-ip-hour", "session-ip-hour"):
        assert counted.get(limit, 0) > 0, (limit, counted)

    followed = list(_followed(scenarios))
    for step, (links, status) in CHAINS.items():
        assert any(name in links and got["status_code"] == status for name, _, got in followed), (
            f"never {step}"
        )
    # A lead sent again, with its Idempotency-Key and without one, is answered as the first one.
    replays = {
        "idempotency-key" in {header.lower() for header in sent["headers"]}
        for name, sent, got in followed
        if name == "ReplayLead" and got["headers"].get("idempotent-replayed") == ["true"]
    }
    assert replays == {True, False}, f"replays answered as such, keyed: {replays}"
