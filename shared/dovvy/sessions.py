"""Guest sessions: a conversation, the diver profile it learned and the client's conversation state,
kept for a while after the last message. The API and the chat turn both go through `Sessions`;
each call is one transaction on a connection from the pool it is given. Light to import: the session
function loads it on its cold path."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from dovvy.conversation import ConversationState, stored_state
from dovvy.db import sessions as repo
from dovvy.db.pool import Pool
from dovvy.diver import DiverProfile, stored_profile
from dovvy.errors import SessionNotFound

# The newest messages a session keeps (each turn adds two).
MAX_STORED_MESSAGES = 200


def _read_back(record: repo.SessionRecord) -> repo.SessionRecord:
    """A stored row read leniently: a profile or state written before a bound answers within it."""
    return dataclasses.replace(
        record,
        diver_profile=stored_profile(record.diver_profile),
        conversation_state=stored_state(record.conversation_state),
    )


class Sessions:
    def __init__(self, pool: Pool, *, expiry_hours: int) -> None:
        self.pool = pool
        self.expiry_hours = expiry_hours

    def create(self, profile: DiverProfile, *, channel: str = "web") -> repo.SessionRecord:
        # One statement: no explicit transaction, one round trip instead of three.
        record = self.pool.run(
            lambda conn: repo.create(
                conn, diver_profile=profile, expiry_hours=self.expiry_hours, channel=channel
            ),
            transaction=False,
        )
        return _read_back(record)

    def get(self, session_id: uuid.UUID) -> repo.SessionRecord:
        """The live session (SESSION_NOT_FOUND, SESSION_EXPIRED otherwise)."""
        record = self.pool.run(lambda conn: repo.require_live(conn, session_id), transaction=False)
        return _read_back(record)

    def delete(self, session_id: uuid.UUID) -> None:
        """Erase the session and what it holds (SESSION_NOT_FOUND when there is none)."""
        if not self.pool.run(lambda conn: repo.delete(conn, session_id)):
            raise SessionNotFound()

    def open(self, session_id: uuid.UUID | None, profile: DiverProfile) -> tuple[repo.SessionRecord, bool]:
        """The live session named, or a new one when none was named. Returns (session, created). An
        expired or unknown session is an error (SESSION_EXPIRED, SESSION_NOT_FOUND) so the client
        starts afresh knowingly."""
        if session_id is None:
            return self.create(profile), True
        return self.get(session_id), False

    def append(
        self,
        session_id: uuid.UUID,
        message: str,
        answer: str,
        profile_update: DiverProfile,
        state: ConversationState | None = None,
    ) -> None:
        turns: list[dict[str, Any]] = [
            {"role": "user", "content": message},
            {"role": "assistant", "content": answer},
        ]
        self.pool.run(
            lambda conn: repo.append_turns(
                conn,
                session_id,
                turns=turns,
                profile_update=profile_update,
                state_update=state,
                expiry_hours=self.expiry_hours,
                max_messages=MAX_STORED_MESSAGES,
            )
        )
