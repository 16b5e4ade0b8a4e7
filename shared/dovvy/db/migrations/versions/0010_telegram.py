"""Telegram as a second channel: sessions and leads carry their channel, each private chat keeps
its session and its lead flow, and each update is processed once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Telegram retries a webhook that does not answer in time, so an update's id is recorded in the same
database as what it changed, not in a container's memory. A chat's row outlives its session (the
session expires; the chat starts a new one) and goes with it when the diver erases it.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("sessions", "leads"):
        op.execute(
            f"""
            ALTER TABLE {table}
                ADD COLUMN channel text NOT NULL DEFAULT 'web'
                CONSTRAINT {table}_channel_known CHECK (channel IN ('web', 'telegram'))
            """
        )
    op.execute(
        """
        CREATE TABLE telegram_chats (
            chat_id bigint PRIMARY KEY,
            session_id uuid REFERENCES sessions (id) ON DELETE SET NULL,
            flow jsonb NOT NULL DEFAULT '{}'::jsonb
                CONSTRAINT telegram_chats_flow_is_object CHECK (jsonb_typeof(flow) = 'object'),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE telegram_updates (
            update_id bigint PRIMARY KEY,
            received_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX telegram_updates_received_at_idx ON telegram_updates (received_at)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS telegram_updates")
    op.execute("DROP TABLE IF EXISTS telegram_chats")
    for table in ("leads", "sessions"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS channel")
