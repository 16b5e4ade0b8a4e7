"""Counters for abuse limits and the model budget, shared by every function instance.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Serverless instances forget in-memory counts at every cold start, so each limit is a row per key
and fixed window, bumped by one upsert; rows past their window expire and are purged.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE rate_counters (
            key text NOT NULL,
            window_start timestamptz NOT NULL,
            count bigint NOT NULL CHECK (count >= 0),
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (key, window_start)
        )
        """
    )
    op.execute("CREATE INDEX rate_counters_expires_at_idx ON rate_counters (expires_at)")
    op.execute("CREATE INDEX leads_type_email_idx ON leads (type, lower(email), created_at)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS leads_type_email_idx")
    op.execute("DROP TABLE IF EXISTS rate_counters")
