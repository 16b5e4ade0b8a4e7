"""Conversation state on sessions, and a look-up for retried leads.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The web app keeps a small conversation state in the browser (`sessionState`); the session keeps
the same state so a diver on a new browser gets it back. A lead sent again without an
Idempotency-Key is found by its request hash among the recent leads.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE sessions
            ADD COLUMN conversation_state jsonb NOT NULL DEFAULT '{}'::jsonb
            CONSTRAINT sessions_state_is_object CHECK (jsonb_typeof(conversation_state) = 'object')
        """
    )
    op.execute("CREATE INDEX leads_request_hash_idx ON leads (request_hash, created_at)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS leads_request_hash_idx")
    op.execute("ALTER TABLE sessions DROP COLUMN IF EXISTS conversation_state")
