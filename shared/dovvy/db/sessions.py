"""The sessions repository: a guest conversation and the diver profile gathered in it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from typing import Any

from dovvy.db.pool import Connection
from dovvy.errors import SessionExpired, SessionNotFound
from dovvy.profile_limits import MAX_INTERESTS

_COLUMNS = "id, diver_profile, conversation_history, created_at, updated_at, expires_at, conversation_state"


@dataclasses.dataclass(frozen=True)
class SessionRecord:
    id: uuid.UUID
    diver_profile: dict[str, Any]
    conversation_history: list[dict[str, Any]]
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    conversation_state: dict[str, Any] = dataclasses.field(default_factory=dict)


def _record(row: list[Any]) -> SessionRecord:
    return SessionRecord(*row)


def create(
    conn: Connection, *, diver_profile: dict[str, Any], expiry_hours: int, channel: str = "web"
) -> SessionRecord:
    rows = conn.run(
        f"""
        INSERT INTO sessions (diver_profile, expires_at, channel)
        VALUES (CAST(:profile AS jsonb), now() + make_interval(hours => :hours), :channel)
        RETURNING {_COLUMNS}
        """,
        profile=diver_profile,
        hours=expiry_hours,
        channel=channel,
    )
    return _record(rows[0])


def get_live(
    conn: Connection, session_id: uuid.UUID, *, for_update: bool = False, for_reference: bool = False
) -> SessionRecord | None:
    """The session if it exists and has not expired. `for_update` locks it until the transaction
    ends; `for_reference` only keeps it from being deleted meanwhile (a row about to point at it)."""
    lock = " FOR UPDATE" if for_update else " FOR KEY SHARE" if for_reference else ""
    rows = conn.run(
        f"SELECT {_COLUMNS} FROM sessions WHERE id = CAST(:id AS uuid) AND expires_at > now(){lock}",
        id=str(session_id),
    )
    return _record(rows[0]) if rows else None


def find(conn: Connection, session_id: uuid.UUID) -> tuple[SessionRecord | None, bool]:
    """(the live session or None, whether a row with this id exists but has expired): an expired
    session and an unknown one get different answers until the purge removes the row."""
    rows = conn.run(
        f"SELECT {_COLUMNS}, expires_at <= now() FROM sessions WHERE id = CAST(:id AS uuid)",
        id=str(session_id),
    )
    if not rows:
        return None, False
    *columns, expired = rows[0]
    return (None, True) if expired else (_record(columns), False)


def require_live(conn: Connection, session_id: uuid.UUID) -> SessionRecord:
    """The live session; SESSION_EXPIRED when its row is still there but expired, else
    SESSION_NOT_FOUND."""
    session, expired = find(conn, session_id)
    if expired:
        raise SessionExpired()
    if session is None:
        raise SessionNotFound()
    return session


def delete(conn: Connection, session_id: uuid.UUID) -> bool:
    """Erase the session, expired or not (a diver asking to be forgotten means it)."""
    rows = conn.run("DELETE FROM sessions WHERE id = CAST(:id AS uuid) RETURNING id", id=str(session_id))
    return bool(rows)


def purge_expired(conn: Connection) -> int:
    rows = conn.run("DELETE FROM sessions WHERE expires_at <= now() RETURNING id")
    return len(rows)


# New profile facts win, except interests, which accumulate up to MAX_INTERESTS, this turn's first:
# the same rule as `dovvy.chat.profile.merge`, applied here so that concurrent turns cannot
# overwrite each other.
_MERGED_INTERESTS = f"""
    CASE WHEN CAST(:profile AS jsonb) ? 'interests' THEN jsonb_build_object('interests', (
        SELECT coalesce(jsonb_agg(interest ORDER BY interest), '[]'::jsonb)
        FROM (
            SELECT interest FROM (
                SELECT interest, min(rank) AS rank FROM (
                    SELECT jsonb_array_elements_text(CAST(:profile AS jsonb) -> 'interests') AS interest,
                           0 AS rank
                    UNION ALL
                    SELECT jsonb_array_elements_text(
                        CASE WHEN jsonb_typeof(diver_profile -> 'interests') = 'array'
                             THEN diver_profile -> 'interests' ELSE '[]'::jsonb END
                    ), 1
                ) AS both_lists
                GROUP BY interest
            ) AS distinct_interests
            ORDER BY rank, interest
            LIMIT {MAX_INTERESTS}
        ) AS kept
    )) ELSE '{{}}'::jsonb END"""


def append_turns(
    conn: Connection,
    session_id: uuid.UUID,
    *,
    turns: list[dict[str, Any]],
    profile_update: dict[str, Any],
    state_update: dict[str, Any] | None = None,
    expiry_hours: int,
    max_messages: int,
) -> SessionRecord | None:
    """Append turns and merge profile and conversation-state fields in one statement, so concurrent
    messages on one session both land (each user/assistant pair stays together) and none overwrites
    the other. Only the newest `max_messages` are kept."""
    rows = conn.run(
        f"""
        UPDATE sessions
        SET conversation_history = (
                SELECT coalesce(jsonb_agg(turn ORDER BY position), '[]'::jsonb)
                FROM jsonb_array_elements(conversation_history || CAST(:turns AS jsonb))
                     WITH ORDINALITY AS t(turn, position)
                WHERE position
                      > jsonb_array_length(conversation_history || CAST(:turns AS jsonb)) - :max_messages
            ),
            diver_profile = diver_profile || CAST(:profile AS jsonb) || {_MERGED_INTERESTS},
            conversation_state = conversation_state || CAST(:state AS jsonb),
            updated_at = now(),
            expires_at = now() + make_interval(hours => :hours)
        WHERE id = CAST(:id AS uuid)
        RETURNING {_COLUMNS}
        """,
        id=str(session_id),
        # Lists must go as JSON text: pg8000 would send a Python list as a Postgres array.
        turns=json.dumps(turns),
        profile=profile_update,
        state=state_update or {},
        hours=expiry_hours,
        max_messages=max_messages,
    )
    return _record(rows[0]) if rows else None
