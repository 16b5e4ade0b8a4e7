"""A leaner keyword index: the unused full-text GIN index goes, terms compare byte by byte.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Since 0006 the keyword leg reads `chunk_terms`; nothing queries `search_tsv` with `@@` any more, yet
every stored chunk still paid for its GIN index (about a quarter of a bulk COPY's time). Terms are
PostgreSQL lexemes, compared only for equality and for the postings' order: the "C" collation
compares bytes instead of calling the locale's collation for every comparison (cloud databases
default to en_US.UTF-8), which makes inserting postings in index order and looking them up cheaper.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS content_embeddings_tsv_gin")
    op.execute('ALTER TABLE chunk_terms ALTER COLUMN term TYPE text COLLATE "C"')
    op.execute('ALTER TABLE term_stats ALTER COLUMN term TYPE text COLLATE "C"')


def downgrade() -> None:
    op.execute('ALTER TABLE term_stats ALTER COLUMN term TYPE text COLLATE "default"')
    op.execute('ALTER TABLE chunk_terms ALTER COLUMN term TYPE text COLLATE "default"')
    op.execute("CREATE INDEX content_embeddings_tsv_gin ON content_embeddings USING gin (search_tsv)")
