"""Postgres access: connection parameters, a small pool, migrations and one repository per table group."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dovvy.db.pool import Connection

# The migration head this code expects; a test holds it equal to Alembic's head.
SCHEMA_REVISION = "0010"


def schema_revision(conn: Connection) -> str | None:
    """The applied migration, or None before the first one (no alembic_version table yet)."""
    # Two statements: a query naming a missing table fails when it is planned, whatever its WHERE.
    if conn.run("SELECT to_regclass('alembic_version') IS NULL")[0][0]:
        return None
    rows = conn.run("SELECT version_num FROM alembic_version LIMIT 1")
    return str(rows[0][0]) if rows else None
