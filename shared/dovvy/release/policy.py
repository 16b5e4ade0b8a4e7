"""The release and alert thresholds (`dovvy/operations.json`), which both clouds' Terraform read too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Canary:
    percent: int
    watch_minutes: int
    aws_deployment_config: str


@dataclass(frozen=True)
class Alerts:
    error_rate: float
    window_minutes: int
    p95_ms: dict[str, int]
    min_requests: int
    db_connections_fraction: float
    dead_letters: int
    lead_waiting_minutes: int
    model_budget_fraction: float


@dataclass(frozen=True)
class Operations:
    canary: Canary
    alerts: Alerts


def parse(raw: dict[str, Any]) -> Operations:
    canary = Canary(**raw["canary"])
    alerts = Alerts(**raw["alerts"])
    if not 0 < canary.percent < 100:
        raise ValueError("canary.percent is between 1 and 99")
    if not 0 < alerts.error_rate < 1:
        raise ValueError("alerts.error_rate is a fraction")
    return Operations(canary, alerts)


def load() -> Operations:
    text = resources.files("dovvy").joinpath("operations.json").read_text(encoding="utf-8")
    return parse({k: v for k, v in json.loads(text).items() if not k.startswith("_")})
