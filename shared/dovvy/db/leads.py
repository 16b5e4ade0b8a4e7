"""The leads repository: a diver handed to the dive shop, and the state of telling the shop."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from dovvy.db.pool import Connection

_COLUMNS = """id, type, name, email, phone, request_details, diver_profile, session_id,
    idempotency_key, request_hash, created_at, notification_status, notification_attempts,
    notification_error, notified_at"""


@dataclasses.dataclass(frozen=True)
class NewLead:
    type: str
    name: str
    email: str
    phone: str | None
    request_details: dict[str, Any]
    diver_profile: dict[str, Any] | None
    session_id: uuid.UUID | None
    idempotency_key: str | None
    request_hash: str
    notification_status: str = "pending"
    channel: str = "web"


@dataclasses.dataclass(frozen=True)
class LeadRecord:
    id: uuid.UUID
    type: str
    name: str
    email: str
    phone: str | None
    request_details: dict[str, Any]
    diver_profile: dict[str, Any] | None
    session_id: uuid.UUID | None
    idempotency_key: str | None
    request_hash: str
    created_at: dt.datetime
    notification_status: str
    notification_attempts: int
    notification_error: str | None
    notified_at: dt.datetime | None


def _record(row: list[Any]) -> LeadRecord:
    return LeadRecord(*row)


def _recent_replay(conn: Connection, request_hash: str, minutes: int) -> LeadRecord | None:
    """The lead this keyless request repeats, if one came in the last `minutes`; the advisory lock
    on the hash is held to the end of the transaction, so concurrent retries store one row."""
    conn.run("SELECT pg_advisory_xact_lock(hashtextextended(:hash, 0))", hash=request_hash)
    rows = conn.run(
        f"""
        SELECT {_COLUMNS} FROM leads
        WHERE idempotency_key IS NULL AND request_hash = :hash
          AND created_at > now() - make_interval(mins => :minutes)
        ORDER BY created_at DESC LIMIT 1
        """,
        hash=request_hash,
        minutes=minutes,
    )
    return _record(rows[0]) if rows else None


def insert(conn: Connection, lead: NewLead, *, dedupe_minutes: int = 0) -> tuple[LeadRecord, bool]:
    """Insert the lead; with an idempotency key already stored, return that lead instead. Without a
    key, a lead with the same request hash (the same body from the same client, see the API) in
    the last `dedupe_minutes` is returned instead: a client retrying after a lost answer, or a form
    sent twice, stores (and notifies) one lead, while anyone else's request, or new content from the
    same address, is a lead of its own.

    Returns (lead, created). ON CONFLICT makes concurrent retries with one key store one row; an
    advisory lock on the request hash (held to the end of the transaction) does the same without.
    """
    if lead.idempotency_key is None and dedupe_minutes > 0:
        recent = _recent_replay(conn, lead.request_hash, dedupe_minutes)
        if recent is not None:
            return recent, False
    rows = conn.run(
        f"""
        INSERT INTO leads (type, name, email, phone, request_details, diver_profile, session_id,
                           idempotency_key, request_hash, notification_status, channel)
        VALUES (:type, :name, :email, :phone, CAST(:details AS jsonb), CAST(:profile AS jsonb),
                CAST(:session_id AS uuid), :key, :hash, :status, :channel)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING {_COLUMNS}
        """,
        type=lead.type,
        name=lead.name,
        email=lead.email,
        phone=lead.phone,
        details=lead.request_details,
        profile=lead.diver_profile,
        session_id=str(lead.session_id) if lead.session_id else None,
        key=lead.idempotency_key,
        hash=lead.request_hash,
        status=lead.notification_status,
        channel=lead.channel,
    )
    if rows:
        return _record(rows[0]), True
    existing = get_by_idempotency_key(conn, lead.idempotency_key or "")
    if existing is None:  # pragma: no cover - the conflicting row was deleted in between
        raise RuntimeError("idempotency conflict without a stored lead")
    return existing, False


def get(conn: Connection, lead_id: uuid.UUID) -> LeadRecord | None:
    rows = conn.run(f"SELECT {_COLUMNS} FROM leads WHERE id = CAST(:id AS uuid)", id=str(lead_id))
    return _record(rows[0]) if rows else None


def get_by_idempotency_key(conn: Connection, key: str) -> LeadRecord | None:
    rows = conn.run(f"SELECT {_COLUMNS} FROM leads WHERE idempotency_key = :key", key=key)
    return _record(rows[0]) if rows else None


def pending_notifications(conn: Connection, *, max_attempts: int, limit: int = 100) -> list[LeadRecord]:
    """Leads still owed a notification, oldest first (each is locked when it is sent)."""
    rows = conn.run(
        f"""
        SELECT {_COLUMNS} FROM leads
        WHERE notification_status IN ('pending', 'failed') AND notification_attempts < :max_attempts
        ORDER BY created_at
        LIMIT :limit
        """,
        max_attempts=max_attempts,
        limit=limit,
    )
    return [_record(row) for row in rows]


def reopen_given_up(conn: Connection, *, max_attempts: int) -> int:
    """Leads whose notification failed `max_attempts` times get their attempts back (the shop's
    endpoint is fixed): the next retry sends them. How many."""
    rows = conn.run(
        """
        UPDATE leads SET notification_attempts = 0
        WHERE notification_status = 'failed' AND notification_attempts >= :max_attempts
        RETURNING id
        """,
        max_attempts=max_attempts,
    )
    return len(rows)


def oldest_unnotified_seconds(conn: Connection) -> int:
    """How long the oldest lead still owed a notification has waited (0 when none): what the
    lead-delivery alert watches, given up leads included, since nobody has heard of them."""
    rows = conn.run(
        """
        SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM leads
        WHERE notification_status IN ('pending', 'failed')
        """
    )
    return int(rows[0][0])


def lock_unnotified(conn: Connection, lead_id: uuid.UUID) -> LeadRecord | None:
    """The lead if it is still owed a notification, locked until the transaction ends; None when it
    was notified meanwhile or another sender holds it."""
    rows = conn.run(
        f"""
        SELECT {_COLUMNS} FROM leads
        WHERE id = CAST(:id AS uuid) AND notification_status IN ('pending', 'failed')
        FOR UPDATE SKIP LOCKED
        """,
        id=str(lead_id),
    )
    return _record(rows[0]) if rows else None


def record_notification(conn: Connection, lead_id: uuid.UUID, *, error: str | None) -> None:
    conn.run(
        """
        UPDATE leads
        SET notification_attempts = notification_attempts + 1,
            notification_status = CASE WHEN CAST(:error AS text) IS NULL THEN 'sent' ELSE 'failed' END,
            notification_error = :error,
            notified_at = CASE WHEN CAST(:error AS text) IS NULL THEN now() ELSE notified_at END
        WHERE id = CAST(:id AS uuid)
        """,
        id=str(lead_id),
        error=error,
    )
