"""Bringing a database up for use: embedded or configured, migrated, seeded, content ingested."""

from __future__ import annotations

import logging
import os

from dovvy.config import Secret, Settings
from dovvy.db.embedded import EmbeddedPostgres
from dovvy.db.url import ConnectParams, parse_database_url
from dovvy.errors import ConfigError

log = logging.getLogger(__name__)


def resolve_database(settings: Settings, *, stop_on_exit: bool = True) -> Settings:
    """Return settings whose DATABASE_URL is usable, starting the embedded server when none is set."""
    if settings.database_url is not None:
        return settings
    data_dir = settings.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"DOVVY_DATA_DIR {data_dir} is a file; it must be a folder (or unset)")
    writable = next((p for p in (data_dir, *data_dir.absolute().parents) if p.exists()), None)
    if writable is not None and not os.access(writable, os.W_OK | os.X_OK):
        raise ConfigError(f"DOVVY_DATA_DIR {data_dir}: {writable} is not writable")
    url = EmbeddedPostgres(data_dir, stop_on_exit=stop_on_exit).start()
    return settings.replace(database_url=Secret(url))


def connect_params(settings: Settings) -> ConnectParams:
    assert settings.database_url is not None
    return parse_database_url(settings.database_url.reveal(), ca_cert=settings.database_ca_cert)


def prepare(settings: Settings) -> None:
    """Apply migrations and load the reference data; both are idempotent."""
    from dovvy import seed
    from dovvy.db import migrate
    from dovvy.db.pool import Pool

    params = connect_params(settings)
    migrate.upgrade(params, timeout=settings.db_timeout_seconds)
    destinations = seed.load(settings.seed_file)
    pool = Pool(params, max_size=1)
    try:
        counts = pool.run(lambda conn: seed.apply(conn, destinations))
    finally:
        pool.close()
    log.info("reference data loaded", extra={"destinations": counts[0], "sites": counts[1]})


def ingest_content(settings: Settings) -> str:
    """Bring the database up to date with the bundled knowledge base (cheap when nothing changed)."""
    from dovvy.knowledge.ingest import Ingestor, PruneRefused
    from dovvy.runtime import Runtime

    runtime = Runtime(settings)
    ingestor = Ingestor(runtime.pool, runtime.embedder)
    try:
        # `make run` keeps the knowledge base's own articles equal to content/; articles ingested
        # from other folders are other sources and stay. Only an empty folder is refused.
        stats = ingestor.ingest_paths(
            [settings.content_dir], root=settings.content_dir, prune=True, prune_more_than_kept=True
        )
    except PruneRefused as exc:
        return f"{settings.content_dir}: {exc}"
    finally:
        runtime.close()
    left_out = "".join(f"\n  left out: {problem}" for problem in stats.problems)
    return stats.summary() + left_out


def set_up(settings: Settings) -> tuple[Settings, str]:
    """Everything `make run` needs before serving: the database (embedded when none is configured),
    migrated and seeded, content/ ingested (cheap when nothing changed). Returns the usable settings
    and the ingest summary."""
    settings = resolve_database(settings)
    prepare(settings)
    return settings, ingest_content(settings)
