"""The Telegram repository: each private chat's session and lead flow, and the updates already
taken (Telegram retries a webhook that did not answer in time)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from dovvy.db.pool import Connection


@dataclasses.dataclass(frozen=True)
class TelegramChat:
    chat_id: int
    session_id: uuid.UUID | None
    flow: dict[str, Any]  # the lead flow under way, {} when none


def claim_update(conn: Connection, update_id: int) -> bool:
    """Whether this update is new: True once per update id, however often Telegram sends it."""
    rows = conn.run(
        "INSERT INTO telegram_updates (update_id) VALUES (:id) ON CONFLICT DO NOTHING RETURNING update_id",
        id=update_id,
    )
    return bool(rows)


def chat(conn: Connection, chat_id: int) -> TelegramChat:
    """The chat's row, created on first contact and locked to the end of the transaction."""
    conn.run("INSERT INTO telegram_chats (chat_id) VALUES (:id) ON CONFLICT DO NOTHING", id=chat_id)
    rows = conn.run(
        "SELECT chat_id, session_id, flow FROM telegram_chats WHERE chat_id = :id FOR UPDATE", id=chat_id
    )
    chat_id, session_id, flow = rows[0]
    return TelegramChat(chat_id, session_id, flow)


def set_session(conn: Connection, chat_id: int, session_id: uuid.UUID | None) -> None:
    """The chat's session from now on (None: the next message starts a new one)."""
    conn.run(
        """
        INSERT INTO telegram_chats (chat_id, session_id) VALUES (:id, CAST(:session AS uuid))
        ON CONFLICT (chat_id) DO UPDATE SET session_id = EXCLUDED.session_id, updated_at = now()
        """,
        id=chat_id,
        session=str(session_id) if session_id else None,
    )


def set_flow(conn: Connection, chat_id: int, flow: dict[str, Any]) -> None:
    """The lead flow under way ({}: none)."""
    conn.run(
        """
        INSERT INTO telegram_chats (chat_id, flow) VALUES (:id, CAST(:flow AS jsonb))
        ON CONFLICT (chat_id) DO UPDATE SET flow = EXCLUDED.flow, updated_at = now()
        """,
        id=chat_id,
        flow=json.dumps(flow),
    )


def forget(conn: Connection, chat_id: int) -> bool:
    """Erase the chat: its session (conversation and profile) and its row. Leads already sent to the
    shop stay with the shop, unlinked from the session."""
    rows = conn.run(
        """
        WITH gone AS (DELETE FROM telegram_chats WHERE chat_id = :id RETURNING session_id)
        DELETE FROM sessions WHERE id IN (SELECT session_id FROM gone) RETURNING id
        """,
        id=chat_id,
    )
    return bool(rows)


def purge_updates(conn: Connection, *, older_than_hours: int = 48) -> int:
    """Forget update ids Telegram no longer retries (it gives up within a day)."""
    rows = conn.run(
        "DELETE FROM telegram_updates WHERE received_at < now() - make_interval(hours => :h) RETURNING 1",
        h=older_than_hours,
    )
    return len(rows)
