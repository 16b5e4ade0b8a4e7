"""Destinations and dive sites added by articles, told apart from the catalogue's.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

A dive-site article (site id, depth range, minimum certification) upserts its site when it is
ingested, and a destination article an unknown destination; `source_path` names the article, so
deleting it removes what it added, and the seed (NULL: the catalogue) never removes or overwrites
them, nor they the catalogue's own rows.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE destinations ADD COLUMN source_path text")
    op.execute("ALTER TABLE dive_sites ADD COLUMN source_path text")
    op.execute(
        "CREATE INDEX dive_sites_source_path_idx ON dive_sites (source_path) WHERE source_path IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS dive_sites_source_path_idx")
    op.execute("ALTER TABLE dive_sites DROP COLUMN IF EXISTS source_path")
    op.execute("ALTER TABLE destinations DROP COLUMN IF EXISTS source_path")
