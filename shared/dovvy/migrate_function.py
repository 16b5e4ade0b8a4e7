"""The migrate function: applies the schema and the catalogue's reference data from inside the
network, where the private database is reachable. Terraform invokes it on AWS after the database
exists (and on every apply, which is harmless: both steps are idempotent); on GCP Terraform calls
it the same way (`gcloud functions call`). Returns what it did, never the database URL."""

from __future__ import annotations

from typing import Any

from dovvy.config import Settings


def run(settings: Settings | None = None) -> dict[str, Any]:
    from dovvy import logs
    from dovvy.bootstrap import connect_params, prepare
    from dovvy.db import SCHEMA_REVISION, migrate
    from dovvy.errors import ConfigError

    settings = settings or Settings.from_env()
    logs.configure(settings.log_level, function="migrate")
    if settings.database_url is None:
        raise ConfigError("DATABASE_URL is not set")
    prepare(settings)
    revision = migrate.current(connect_params(settings), timeout=settings.db_timeout_seconds)
    return {"schema": revision, "expected": SCHEMA_REVISION, "seeded": str(settings.seed_file.name)}


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    return run()
