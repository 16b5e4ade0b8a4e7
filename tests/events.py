"""Load JSON event fixtures and provide a Lambda context like the real runtime's."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).with_name("events")


def load_event(name: str, **replacements: str) -> dict[str, Any]:
    text = (EVENTS / name).read_text()
    for old, new in replacements.items():
        text = text.replace(old, new)
    event: dict[str, Any] = json.loads(text)
    return event


@dataclass
class LambdaContext:
    function_name: str = "dovvy-session"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:dovvy-session"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "6f1c5b2e-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/dovvy-session"
    log_stream_name: str = "2026/11/25/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
