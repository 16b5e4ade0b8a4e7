"""The rule a staged release follows, and the thresholds file both clouds' modules read."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from dovvy.release import policy
from dovvy.release.decision import Reading, Verdict, breach, decide

OPS = policy.load()
ALERTS = OPS.alerts


def verdict(function: str, reading: Reading, elapsed: float = 1) -> Verdict:
    return decide(function, reading, ALERTS, elapsed_minutes=elapsed, watch_minutes=OPS.canary.watch_minutes)


@pytest.mark.parametrize(
    ("function", "reading", "elapsed", "expected"),
    [
        # Healthy and still in the watch: wait; at its end: promote.
        ("chat", Reading(200, 2, 900), 3, Verdict.WAIT),
        ("chat", Reading(200, 2, 900), 10, Verdict.PROMOTE),
        # Errors over 5% of enough requests: back at once, whenever in the watch.
        ("chat", Reading(100, 6, 900), 1, Verdict.ROLLBACK),
        ("lead", Reading(40, 3, 100), 12, Verdict.ROLLBACK),
        # Exactly 5% is not over the rate.
        ("chat", Reading(100, 5, 900), 10, Verdict.PROMOTE),
        # Slow: each function has its own p95 bound (chat 10 s, session and lead 2 s).
        ("chat", Reading(100, 0, 10_001), 2, Verdict.ROLLBACK),
        ("chat", Reading(100, 0, 9_000), 10, Verdict.PROMOTE),
        ("session", Reading(100, 0, 2_500), 2, Verdict.ROLLBACK),
        # Too few requests to judge a rate or a percentile: never a rollback, promoted at the end.
        ("chat", Reading(19, 19, 60_000), 5, Verdict.WAIT),
        ("chat", Reading(3, 3, None), 10, Verdict.PROMOTE),
        ("chat", Reading(0, 0, None), 10, Verdict.PROMOTE),
        # No latency reported yet: judged on errors alone.
        ("chat", Reading(50, 0, None), 10, Verdict.PROMOTE),
    ],
)
def test_the_release_rule(function: str, reading: Reading, elapsed: float, expected: Verdict) -> None:
    assert verdict(function, reading, elapsed) is expected


def test_a_breach_says_why() -> None:
    assert breach("chat", Reading(100, 7, None), ALERTS) == "error rate 7.0% over 5%"
    assert breach("lead", Reading(100, 0, 2_400), ALERTS) == "p95 2400 ms over 2000 ms"
    assert breach("chat", Reading(100, 0, 800), ALERTS) is None


def test_the_thresholds_are_the_ones_the_issue_set() -> None:
    assert OPS.canary.percent == 10
    assert ALERTS.error_rate == 0.05
    assert ALERTS.window_minutes == 5
    assert ALERTS.p95_ms["chat"] == 10_000
    # Every function that answers requests has a bound, tighter for session and lead.
    assert set(ALERTS.p95_ms) == {"chat", "chat-stream", "telegram", "session", "lead"}
    assert ALERTS.p95_ms["session"] < ALERTS.p95_ms["chat"]
    assert ALERTS.p95_ms["lead"] < ALERTS.p95_ms["chat"]
    assert OPS.canary.aws_deployment_config.startswith("CodeDeployDefault.LambdaCanary10Percent")


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [("canary", "percent", 0), ("canary", "percent", 100), ("alerts", "error_rate", 5)],
)
def test_a_threshold_out_of_range_is_refused(section: str, key: str, value: float) -> None:
    raw = json.loads(json.dumps({"canary": vars(OPS.canary), "alerts": vars(ALERTS)}))
    raw[section][key] = value
    with pytest.raises(ValueError, match=key.split("_", maxsplit=1)[0]):
        policy.parse(raw)


def test_the_rule_reads_the_alerts_it_is_given() -> None:
    stricter = replace(ALERTS, error_rate=0.01)
    assert (
        decide("chat", Reading(100, 2, None), stricter, elapsed_minutes=1, watch_minutes=10)
        is Verdict.ROLLBACK
    )
    assert decide("chat", Reading(100, 2, None), ALERTS, elapsed_minutes=1, watch_minutes=10) is Verdict.WAIT
