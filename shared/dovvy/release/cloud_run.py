"""Google Cloud: the staged release of one function's new revision on its Cloud Run service.

The module deploys revisions without moving traffic (`all_traffic_on_latest_revision = false`), so
the revision that served before keeps serving until this moves it: the canary share to the new
revision, a watch on what that revision serves (Cloud Monitoring's request count and latency for
it), then all of the traffic to it or back to the old one by `decision.decide`. Traffic is always
pinned to named revisions, never "latest", so the next deploy cannot move it behind our back.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dovvy.google_rest import GcpApi
from dovvy.release.decision import Reading, Verdict, breach, decide
from dovvy.release.policy import Operations

REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"


class NothingToRelease(Exception):
    """The service already sends all its traffic to its newest revision."""


class Unpinned(Exception):
    """The service's traffic follows its latest revision, so a deploy already moved all of it:
    there is no canary to run until it is pinned (`dovvy release gcp promote`)."""


@dataclass(frozen=True)
class Traffic:
    shares: dict[str, int]  # revision -> percent, the revisions serving now
    latest: str  # the newest ready revision
    follows_latest: bool  # some traffic targets "latest" rather than a named revision

    @property
    def previous(self) -> str | None:
        """The revision other than the newest that serves the most, if any serves."""
        older = sorted(((p, r) for r, p in self.shares.items() if r != self.latest), reverse=True)
        return older[0][1] if older else None


@dataclass
class CloudRun:
    api: GcpApi
    project: str
    region: str
    ops: Operations
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def _path(self, service: str) -> str:
        return f"/v2/projects/{self.project}/locations/{self.region}/services/{service}"

    def traffic(self, service: str) -> Traffic:
        found = self.api.call("run", self._path(service))
        latest = str(found["latestReadyRevision"]).rsplit("/", 1)[-1]
        shares: dict[str, int] = {}
        follows = False
        for status in found.get("trafficStatuses", []):
            follows = follows or status.get("type") == "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
            revision = status.get("revision") or latest  # "latest" targets name no revision
            shares[revision] = shares.get(revision, 0) + int(status.get("percent", 0))
        return Traffic({r: p for r, p in shares.items() if p > 0}, latest, follows)

    def split(self, service: str, shares: dict[str, int]) -> None:
        body = {"traffic": [{"type": REVISION, "revision": r, "percent": p} for r, p in shares.items() if p]}
        self.api.call("run", f"{self._path(service)}?updateMask=traffic", body, method="PATCH")

    def _series(self, metric: str, service: str, revision: str, since: datetime, **aggregation: str) -> Any:
        end = self.now()
        query = {
            "filter": (
                f'metric.type="run.googleapis.com/{metric}" AND resource.labels.service_name="{service}"'
                f' AND resource.labels.revision_name="{revision}"'
            ),
            "interval.startTime": since.isoformat().replace("+00:00", "Z"),
            "interval.endTime": end.isoformat().replace("+00:00", "Z"),
            "aggregation.alignmentPeriod": f"{max(60, int((end - since).total_seconds()))}s",
            **{f"aggregation.{k}": v for k, v in aggregation.items()},
        }
        path = f"/v3/projects/{self.project}/timeSeries?{urllib.parse.urlencode(query)}"
        return self.api.call("monitoring", path).get("timeSeries", [])

    def reading(self, service: str, revision: str, since: datetime) -> Reading:
        counts = self._series(
            "request_count", service, revision, since, perSeriesAligner="ALIGN_DELTA",
            crossSeriesReducer="REDUCE_SUM", groupByFields="metric.labels.response_code_class",
        )  # fmt: skip
        requests = errors = 0
        for series in counts:
            total = sum(int(p["value"].get("int64Value", 0)) for p in series.get("points", []))
            requests += total
            if series.get("metric", {}).get("labels", {}).get("response_code_class") == "5xx":
                errors += total
        latencies = self._series(
            "request_latencies", service, revision, since, perSeriesAligner="ALIGN_PERCENTILE_95"
        )
        values = [float(p["value"]["doubleValue"]) for s in latencies for p in s.get("points", [])]
        return Reading(requests, errors, max(values) if values else None)

    def release(self, function: str, service: str, *, poll_seconds: float = 60) -> tuple[Verdict, str]:
        """Canary, watch, then promote or roll back; the verdict and why."""
        traffic = self.traffic(service)
        latest, previous = traffic.latest, traffic.previous
        if traffic.follows_latest:
            raise Unpinned(service)
        if previous is None:
            raise NothingToRelease(service)
        canary = self.ops.canary
        self.split(service, {previous: 100 - canary.percent, latest: canary.percent})
        started = self.now()
        while True:
            self.sleep(poll_seconds)
            reading = self.reading(service, latest, started)
            elapsed = (self.now() - started) / timedelta(minutes=1)
            verdict = decide(
                function,
                reading,
                self.ops.alerts,
                elapsed_minutes=elapsed,
                watch_minutes=canary.watch_minutes,
            )
            if verdict is Verdict.ROLLBACK:
                self.split(service, {previous: 100})
                return verdict, f"{latest}: {breach(function, reading, self.ops.alerts)}; back to {previous}"
            if verdict is Verdict.PROMOTE:
                self.split(service, {latest: 100})
                return verdict, f"{latest}: {reading.requests} requests, {reading.errors} errors; promoted"
