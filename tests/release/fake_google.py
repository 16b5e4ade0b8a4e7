"""A fake of the two Google APIs a GCP release uses, speaking their JSON: Cloud Run Admin v2
(a service's revisions and traffic) and Cloud Monitoring v3 (`timeSeries.list`)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.json_fake import json_api

SERVICE = "projects/p/locations/europe-west1/services/dovvy-chat"


@dataclass
class Served:
    requests: int = 0
    errors: int = 0
    p95_ms: float | None = None


@dataclass
class FakeGoogle:
    latest: str = "dovvy-chat-00002-new"
    # What serves now: revision -> percent.
    traffic: dict[str, int] = field(default_factory=lambda: {"dovvy-chat-00001-old": 100})
    # What Monitoring reports for each revision.
    served: dict[str, Served] = field(default_factory=dict)
    patches: list[dict[str, Any]] = field(default_factory=list)
    # A new service's traffic targets "latest" until it is pinned to a named revision.
    follows_latest: bool = False
    queries: list[dict[str, str]] = field(default_factory=list)

    def service(self) -> dict[str, Any]:
        return {
            "name": SERVICE,
            "latestReadyRevision": f"{SERVICE}/revisions/{self.latest}",
            "trafficStatuses": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}]
            if self.follows_latest
            else [
                {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": r, "percent": p}
                for r, p in self.traffic.items()
            ],
        }

    def patch(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        assert query.get("updateMask") == "traffic"
        self.patches.append(body)
        self.follows_latest = False
        self.traffic = {t["revision"]: t["percent"] for t in body["traffic"]}
        assert sum(self.traffic.values()) == 100, body
        return {"name": "projects/p/locations/europe-west1/operations/op-1", "done": False}

    def series(self, query: dict[str, str]) -> dict[str, Any]:
        self.queries.append(query)
        revision = query["filter"].split('resource.labels.revision_name="')[1].split('"')[0]
        served = self.served.get(revision, Served())
        if "request_latencies" in query["filter"]:
            assert query["aggregation.perSeriesAligner"] == "ALIGN_PERCENTILE_95"
            points = [] if served.p95_ms is None else [{"value": {"doubleValue": served.p95_ms}}]
            return {"timeSeries": [{"points": points, "valueType": "DOUBLE"}] if points else []}
        assert query["aggregation.groupByFields"] == "metric.labels.response_code_class"
        classes = {"2xx": served.requests - served.errors, "5xx": served.errors}
        return {
            "timeSeries": [
                {
                    "metric": {"labels": {"response_code_class": c}},
                    "points": [{"value": {"int64Value": str(n)}}],
                }
                for c, n in classes.items()
                if n
            ]
        }

    def answer(self, method: str, url: str, body: Any) -> tuple[int, Any]:
        path, _, raw = url.partition("?")
        query = dict(urllib.parse.parse_qsl(raw))
        if path == f"/run/v2/{SERVICE}":
            return 200, self.patch(query, body) if method == "PATCH" else self.service()
        if path == "/monitoring/v3/projects/p/timeSeries" and method == "GET":
            return 200, self.series(query)
        return 404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}


@contextmanager
def google(fake: FakeGoogle) -> Iterator[str]:
    with json_api(fake.answer) as url:
        yield url
