"""Promote, roll back or keep watching: the one rule a staged release follows.

A new version is rolled back as soon as its share of the traffic shows what the alerts would page
for (errors over the rate, or p95 over its function's bound), judged only once it has served enough
requests to say so; it is promoted when the watch ends without that. A canary that saw too little
traffic to judge is promoted at the end: an idle system must still be able to release, and the
alerts keep watching it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dovvy.release.policy import Alerts


class Verdict(Enum):
    PROMOTE = "promote"
    ROLLBACK = "rollback"
    WAIT = "wait"


@dataclass(frozen=True)
class Reading:
    """What the new version served since its canary started."""

    requests: int
    errors: int  # 5xx answers and unhandled failures
    p95_ms: float | None  # None when the platform reported no latency yet


def breach(function: str, reading: Reading, alerts: Alerts) -> str | None:
    """Why this reading would page someone, or None."""
    if reading.requests < alerts.min_requests:
        return None
    rate = reading.errors / reading.requests
    if rate > alerts.error_rate:
        return f"error rate {rate:.1%} over {alerts.error_rate:.0%}"
    bound = alerts.p95_ms.get(function)
    if bound is not None and reading.p95_ms is not None and reading.p95_ms > bound:
        return f"p95 {reading.p95_ms:.0f} ms over {bound} ms"
    return None


def decide(
    function: str, reading: Reading, alerts: Alerts, *, elapsed_minutes: float, watch_minutes: int
) -> Verdict:
    if breach(function, reading, alerts):
        return Verdict.ROLLBACK
    return Verdict.PROMOTE if elapsed_minutes >= watch_minutes else Verdict.WAIT
