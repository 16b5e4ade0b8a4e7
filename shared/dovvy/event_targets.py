"""Cloud Run functions targets for event-triggered functions (storage events, Pub/Sub messages)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def cloud_run_event_target(handle: Callable[[Any], object], name: str) -> Callable[[Any], None]:
    """A CloudEvent target named `name` (the entry point) that hands each event to `handle`."""

    def target(cloud_event: Any) -> None:
        handle(cloud_event)

    target.__name__ = target.__qualname__ = name
    if "functions_framework" in sys.modules:
        # Loaded by the functions-framework runtime: register it as a CloudEvent function.
        import functions_framework

        return functions_framework.cloud_event(target)
    return target
