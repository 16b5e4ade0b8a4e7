"""The jobs function, driven by EventBridge Scheduler's input and a Pub/Sub CloudEvent."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cloudevents.http import CloudEvent

from dovvy.db.pool import Pool
from dovvy.jobs import JobHandlers, UnknownJob
from dovvy.runtime import Runtime
from tests.events import LambdaContext, load_event


def _expire_one_session(pool: Pool) -> str:
    rows = pool.run(
        lambda conn: conn.run(
            "INSERT INTO sessions (diver_profile, expires_at) VALUES ('{}', now() - interval '1 hour') "
            "RETURNING id::text"
        )
    )
    return str(rows[0][0])


def _session_exists(pool: Pool, session_id: str) -> bool:
    rows = pool.run(
        lambda conn: conn.run("SELECT 1 FROM sessions WHERE id = CAST(:id AS uuid)", id=session_id)
    )
    return bool(rows)


def test_the_scheduler_purges_expired_sessions(runtime: Runtime) -> None:
    expired = _expire_one_session(runtime.pool)
    result = JobHandlers(runtime).aws(load_event("scheduler_purge_sessions.json"), LambdaContext())
    assert result["job"] == "purge-sessions"
    assert result["sessions"] >= 1
    assert not _session_exists(runtime.pool, expired)


def test_a_pubsub_message_runs_the_job_it_names(runtime: Runtime) -> None:
    raw = load_event("pubsub_retry_leads.json")
    result = JobHandlers(runtime).gcp(CloudEvent(raw["attributes"], raw["data"]))
    # No notifier is configured in the test settings: nothing to resend, nothing fails.
    assert result == {"job": "retry-leads", "sent": 0, "failed": 0, "notifiers": 0}


@pytest.mark.parametrize("event", [{}, {"job": "drop-tables"}, {"job": ["retry-leads"]}, []])
def test_an_event_that_names_no_known_job_does_nothing(runtime: Runtime, event: Any) -> None:
    expired = _expire_one_session(runtime.pool)
    with pytest.raises(UnknownJob, match="no such job"):
        JobHandlers(runtime).aws(event, LambdaContext())
    assert _session_exists(runtime.pool, expired)


def test_a_pubsub_message_without_json_is_refused(runtime: Runtime) -> None:
    raw = load_event("pubsub_retry_leads.json")
    raw["data"]["message"]["data"] = base64.b64encode(b"retry-leads please").decode()
    with pytest.raises(UnknownJob, match="no job's JSON"):
        JobHandlers(runtime).gcp(CloudEvent(raw["attributes"], raw["data"]))


def test_the_pubsub_fixture_carries_the_job_as_base64_json() -> None:
    raw = load_event("pubsub_retry_leads.json")
    assert json.loads(base64.b64decode(raw["data"]["message"]["data"])) == {"job": "retry-leads"}
