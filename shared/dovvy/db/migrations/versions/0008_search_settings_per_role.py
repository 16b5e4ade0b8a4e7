"""HNSW search settings as the role's defaults in this database, not a SET on every connection.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

RDS Proxy pins a client session to one database connection for good once the client sends a
session-level SET, which every connection used to (`hnsw.ef_search`, `hnsw.iterative_scan`): the
proxy then multiplexed nothing. Defaults stored with the role for this database are applied by the
server when a backend starts, whoever opened it. The pool still sets them itself where they are
missing (another role, a database not migrated yet): see `db/pool.py`.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The same values the pool falls back to (db/pool.py VECTOR_SETTINGS), written out: a revision must
# not change with later code.
_SETTINGS = (("hnsw.ef_search", "100"), ("hnsw.iterative_scan", "relaxed_order"))


def upgrade() -> None:
    # Using a vector loads pgvector into this session, so its parameters are known (and checked)
    # rather than stored as unchecked placeholders. iterative_scan exists from pgvector 0.8.
    op.execute("SELECT CAST('[1]' AS vector)")
    for name, value in _SETTINGS:
        op.execute(
            f"""
            DO $$
            BEGIN
                IF current_setting('{name}', true) IS NOT NULL THEN
                    EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I SET {name} = %L',
                                   current_database(), '{value}');
                END IF;
            EXCEPTION WHEN insufficient_privilege THEN
                -- A role that may not change its own defaults: the pool sets it per connection.
                RAISE NOTICE 'cannot store {name} for this role; connections will set it';
            END $$
            """
        )


def downgrade() -> None:
    for name, _ in _SETTINGS:
        op.execute(
            f"""
            DO $$
            BEGIN
                EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I RESET {name}', current_database());
            END $$
            """
        )
