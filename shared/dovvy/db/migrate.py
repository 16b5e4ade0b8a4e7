"""Alembic migrations, driven programmatically so no alembic.ini has to sit beside the code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config

    from dovvy.db.url import ConnectParams

_SCRIPTS = Path(__file__).with_name("migrations")


def _config(params: ConnectParams) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connect_params"] = params
    return config


def upgrade(params: ConnectParams, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_config(params), revision)


def downgrade(params: ConnectParams, revision: str) -> None:
    from alembic import command

    command.downgrade(_config(params), revision)


def current(params: ConnectParams) -> str | None:
    from alembic.migration import MigrationContext

    engine = make_engine(params)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def make_engine(params: ConnectParams) -> Any:
    import pg8000.dbapi
    import sqlalchemy

    kwargs = params.connect_kwargs(timeout=30.0)
    return sqlalchemy.create_engine(
        params.sqlalchemy_url(),
        creator=lambda: pg8000.dbapi.connect(**kwargs),
        poolclass=sqlalchemy.pool.NullPool,
    )
