"""Scheduled jobs: resend lead notifications that failed, delete what has expired.

One definition serves the CLI (`dovvy leads retry`, `dovvy sessions purge`) and the `jobs`
function, which EventBridge Scheduler invokes with `{"job": NAME}` on AWS and Cloud Scheduler
triggers through a Pub/Sub message carrying the same JSON on Google Cloud. `replay-leads` is run
by hand the same way (docs/operations.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from typing import Any

from dovvy.error_tracking import reporting
from dovvy.runtime import Runtime

log = logging.getLogger(__name__)


class UnknownJob(ValueError):
    """The event names no job we run (or names none): nothing is done."""


def retry_leads(runtime: Runtime) -> dict[str, int]:
    from dovvy.notify import retry_pending

    if not runtime.notifiers:
        return {"sent": 0, "failed": 0, "notifiers": 0}
    from dovvy.db import leads

    sent, failed = retry_pending(
        runtime.pool, runtime.notifiers, max_attempts=runtime.settings.notify_max_attempts
    )
    # Logged with the result: the lead-delivery alert reads it from this line.
    waiting = runtime.pool.run(leads.oldest_unnotified_seconds, transaction=False)
    return {"sent": sent, "failed": failed, "notifiers": len(runtime.notifiers), "oldest_waiting_s": waiting}


def replay_leads(runtime: Runtime) -> dict[str, int]:
    """By hand, once the shop's endpoint works again: leads that ran out of attempts are resent."""
    from dovvy.db import leads

    attempts = runtime.settings.notify_max_attempts
    reopened = runtime.pool.run(lambda conn: leads.reopen_given_up(conn, max_attempts=attempts))
    return {"reopened": reopened, **retry_leads(runtime)}


def purge_expired(runtime: Runtime) -> dict[str, int]:
    from dovvy.db import counters, sessions, telegram

    return {
        "sessions": runtime.pool.run(sessions.purge_expired),
        "rate_counters": runtime.pool.run(counters.purge_expired),
        # Telegram stops retrying an update within a day; its id need not be kept longer.
        "telegram_updates": runtime.pool.run(telegram.purge_updates),
    }


# Run by a person (docs/operations.md), never on a schedule.
BY_HAND = frozenset({"replay-leads"})

JOBS: dict[str, Callable[[Runtime], dict[str, int]]] = {
    "retry-leads": retry_leads,
    "replay-leads": replay_leads,
    "purge-sessions": purge_expired,
}


def job_named(payload: Any) -> str:
    name = payload.get("job") if isinstance(payload, dict) else None
    if not isinstance(name, str) or name not in JOBS:
        raise UnknownJob(f"no such job: {str(name)[:40]!r} (known: {', '.join(JOBS)})")
    return name


class JobHandlers:
    """The runtime a warm container reuses; nothing is opened until the first event."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self._runtime = runtime

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = Runtime.for_function("jobs")
        return self._runtime

    def run(self, payload: Any) -> dict[str, Any]:
        name = job_named(payload)
        result = JOBS[name](self.runtime)
        log.info("job done", extra={"job": name, **result})
        return {"job": name, **result}

    @reporting
    def aws(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self.run(event)

    @reporting
    def gcp(self, cloud_event: Any) -> dict[str, Any]:
        """A Pub/Sub `messagePublished` CloudEvent whose message data is the job's JSON."""
        try:
            raw = base64.b64decode(cloud_event.data["message"]["data"], validate=True)
            payload = json.loads(raw)
        except (KeyError, TypeError, binascii.Error, ValueError):
            raise UnknownJob("the message carries no job's JSON") from None
        return self.run(payload)
