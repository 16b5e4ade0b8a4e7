"""The migrate function: applies the schema and the catalogue's reference data from inside the
network, where the private database is reachable. Terraform invokes it after the database exists
(on AWS on every apply that changes the bundle or the database, on GCP through `gcloud functions
call`); both steps are idempotent, so a re-run changes nothing. Returns what it did, never the
database URL; a failure is the invocation's error, which fails the apply.

On a first apply the database is often not accepting connections yet when the function runs (RDS
Proxy reports a registered target before it is available; Cloud SQL's private IP takes a while),
so the function waits for it, backing off, within its own timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from dovvy.config import Settings
from dovvy.db.url import ConnectParams

log = logging.getLogger(__name__)

# Left for the migrations themselves after waiting (the function's timeout is 300 s).
_WORK_SECONDS = 60.0
DEFAULT_WAIT_SECONDS = 240.0
_MAX_BACKOFF_SECONDS = 15.0


def wait_for_database(
    params: ConnectParams,
    *,
    within: float,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Connect until the database answers, backing off 1, 2, 4 ... 15 s; returns the attempts made.
    Raises DatabaseUnavailable naming what it waited for once `within` seconds have passed."""
    from dovvy.db.pool import Pool
    from dovvy.errors import DatabaseUnavailable

    deadline = clock() + within
    delay = 1.0
    attempt = 0
    while True:
        attempt += 1
        pool = Pool(params, max_size=1, timeout=timeout)
        try:
            pool.run(lambda conn: conn.run("SELECT 1"), transaction=False)
            return attempt
        except DatabaseUnavailable as exc:
            remaining = deadline - clock()
            if remaining <= 0:
                raise DatabaseUnavailable(
                    f"the database at {params.display()} did not accept a connection within "
                    f"{within:.0f} s ({attempt} attempts; last: {exc})"
                ) from exc
            log.warning("database not reachable yet", extra={"attempt": attempt, "retry_in_s": delay})
            sleep(min(delay, remaining))
            delay = min(delay * 2, _MAX_BACKOFF_SECONDS)
        finally:
            pool.close()


def run(settings: Settings | None = None, *, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> dict[str, Any]:
    from dovvy import logs, needs
    from dovvy.bootstrap import connect_params, prepare
    from dovvy.db import SCHEMA_REVISION, migrate

    settings = settings or Settings.from_env()
    logs.configure(settings.log_level, function="migrate")
    needs.check(settings, "migrate")
    params = connect_params(settings)
    attempts = wait_for_database(params, within=wait_seconds, timeout=settings.db_timeout_seconds)
    prepare(settings)
    revision = migrate.current(params, timeout=settings.db_timeout_seconds)
    done: dict[str, Any] = {
        "schema": revision,
        "expected": SCHEMA_REVISION,
        "seeded": str(settings.seed_file.name),
        "connect_attempts": attempts,
    }
    if settings.database_app_user and settings.database_app_password is not None:
        _grant_app_role(params, settings.database_app_user, settings.database_app_password.reveal())
        done["app_role"] = settings.database_app_user
    return done


def _grant_app_role(params: ConnectParams, role: str, secret: str) -> None:
    """The functions' own role, after the migrations: it must see every table they created."""
    from dovvy.db.app_role import ensure_app_role, password_of
    from dovvy.db.pool import Pool

    pool = Pool(params, max_size=1)
    try:
        pool.run(lambda conn: ensure_app_role(conn, role, password_of(secret)))
    finally:
        pool.close()


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else None
    wait = DEFAULT_WAIT_SECONDS if remaining is None else max(remaining - _WORK_SECONDS, 1.0)
    return run(wait_seconds=min(wait, DEFAULT_WAIT_SECONDS))
