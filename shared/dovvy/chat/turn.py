"""What one chat turn is made of: the request (`ChatTurn`), the session it opened, the context every
stage reads (`TurnContext`), the stopwatch that times the stages, and the events a turn emits."""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from dovvy import logs
from dovvy.chat.outcomes import Outcome
from dovvy.chat.router import Route
from dovvy.conversation import ConversationState
from dovvy.db.sessions import SessionRecord
from dovvy.diver import DiverProfile

# ("route" | "citation" | "token" | "reset" | "final", data): the stream the SSE endpoint forwards.
Event = tuple[str, dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class ChatTurn:
    """A message as a channel hands it over, checked."""

    message: str
    session_id: uuid.UUID | None = None
    diver_profile: DiverProfile | None = None
    state: ConversationState | None = None  # the client's conversation state, as sent; None if not sent
    # Whom the per-diver model budget counts: the session unless the channel knows the person
    # (a Telegram account keeps its budget across new chats).
    budget_subject: str | None = None


@dataclasses.dataclass(frozen=True)
class OpenedSession:
    record: SessionRecord
    created: bool


class Clock:
    """Milliseconds per stage since the previous mark, kept for the response and the log line."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._started = time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = round((now - self._started) * 1000, 2)
        logs.add_stage(stage, self.stages[stage])
        self._started = now


@dataclasses.dataclass(frozen=True)
class TurnContext:
    """What the load stage settles and every later stage reads."""

    message: str
    session: SessionRecord
    created: bool
    profile: DiverProfile  # the stored profile with what this turn said merged in
    profile_update: DiverProfile  # what this turn adds to the stored profile
    state: ConversationState  # the conversation state this turn starts from
    client_state: ConversationState | None  # as the client sent it; None if not sent
    stream: bool
    deadline: float  # a perf_counter value the answer must be ready by
    clock: Clock
    budget_subject: str  # whom the per-diver model budget counts


@dataclasses.dataclass(frozen=True)
class Reply:
    """What the turn answers, before the follow-up and the save."""

    outcome: Outcome
    chosen: Route
    text: str  # everything sent, as saved and returned
    sources: list[dict[str, Any]]
    notes: dict[str, Any] = dataclasses.field(default_factory=dict)  # more metadata of the turn


def tokens(text: str) -> Iterator[Event]:
    """`text` as token events, a word with its spaces at a time."""
    for piece in re.findall(r"\s*\S+\s*", text):
        yield "token", {"text": piece}
