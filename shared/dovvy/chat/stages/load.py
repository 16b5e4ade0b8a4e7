"""Load: the turn's session (opened here unless the channel opened it first) and what the message
says about the diver (a certification or a destination named), merged over the stored profile."""

from __future__ import annotations

import time

from dovvy.chat import followups
from dovvy.chat.profile import extract, merge
from dovvy.chat.turn import ChatTurn, Clock, OpenedSession, TurnContext
from dovvy.sessions import Sessions


def open_session(turn: ChatTurn, sessions: Sessions) -> OpenedSession:
    """The turn's session (raises SESSION_NOT_FOUND / SESSION_EXPIRED for a stale id)."""
    record, created = sessions.open(turn.session_id, turn.diver_profile or {})
    return OpenedSession(record, created)


def load(
    turn: ChatTurn,
    opened: OpenedSession | None,
    sessions: Sessions,
    *,
    stream: bool,
    deadline_seconds: float,
) -> TurnContext:
    clock = Clock()
    deadline = time.perf_counter() + deadline_seconds
    opened = opened or open_session(turn, sessions)
    session = opened.record
    clock.mark("session")
    state = followups.starting_state(session.conversation_state, turn.state)
    update = merge(turn.diver_profile or {}, extract(turn.message))
    profile = merge(session.diver_profile, update)
    # A level the client's state names (its cert_level code) fills a profile that has none.
    level = None if profile.get("certification_level") else followups.level_from(state)
    if level:
        update["certification_level"] = profile["certification_level"] = level
    return TurnContext(
        message=turn.message,
        session=session,
        created=opened.created,
        profile=profile,
        profile_update=update,
        state=state,
        client_state=turn.state,
        stream=stream,
        deadline=deadline,
        clock=clock,
        budget_subject=turn.budget_subject or f"session:{session.id}",
    )
