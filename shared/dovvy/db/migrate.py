"""Alembic migrations, driven programmatically so no alembic.ini has to sit beside the code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config

    from dovvy.db.url import ConnectParams

_SCRIPTS = Path(__file__).with_name("migrations")


# Connecting gives up after this long unless the caller says otherwise (DB_TIMEOUT_SECONDS).
DEFAULT_TIMEOUT = 30.0


def _config(params: ConnectParams, timeout: float) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connect_params"] = params
    config.attributes["timeout"] = timeout
    return config


def upgrade(params: ConnectParams, revision: str = "head", *, timeout: float = DEFAULT_TIMEOUT) -> None:
    from alembic import command

    command.upgrade(_config(params, timeout), revision)


def downgrade(params: ConnectParams, revision: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    from alembic import command

    command.downgrade(_config(params, timeout), revision)


def current(params: ConnectParams, *, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    from alembic.migration import MigrationContext

    engine = make_engine(params, timeout)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def make_engine(params: ConnectParams, timeout: float = DEFAULT_TIMEOUT) -> Any:
    import pg8000.dbapi
    import sqlalchemy

    kwargs = params.connect_kwargs(timeout=timeout)
    return sqlalchemy.create_engine(
        params.sqlalchemy_url(),
        creator=lambda: pg8000.dbapi.connect(**kwargs),
        poolclass=sqlalchemy.pool.NullPool,
    )
