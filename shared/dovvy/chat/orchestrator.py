"""One chat turn, from message to saved answer, as a stream of events: the stages of
`chat.stages` run once each, in order.

    load → triage → protocol (an emergency)
                  → routing → retrieve → generate → check
         → follow_up → save

Each stage reads the `TurnContext` and returns a typed value; the turn ends in an `Outcome`. The
JSON endpoint keeps the last event; the streaming endpoint forwards them all.

Streaming contract: `token` events add up to `final.message`, counting from the last `reset`
event. A `reset` tells the client to discard what it has shown (a provider failed after its first
token, or a check replaced the answer); what follows is the whole answer again.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from dovvy.chat import response
from dovvy.chat.budget import ModelBudget
from dovvy.chat.outcomes import Declined, Outcome
from dovvy.chat.stages import follow_up, load, protocol, retrieve, routing, save, triage
from dovvy.chat.stages.check import checked
from dovvy.chat.stages.generate import Writer, write
from dovvy.chat.store import Library
from dovvy.chat.turn import ChatTurn, Event, OpenedSession, Reply, TurnContext, tokens
from dovvy.config import Settings
from dovvy.db.destinations import DiveSite
from dovvy.providers.llm import FallbackChain
from dovvy.sessions import Sessions


class ChatService:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: Sessions,
        library: Library,
        llm: FallbackChain,
        budget: ModelBudget | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.library = library
        self.llm = llm
        self.writer = Writer(llm, budget)

    def open(self, turn: ChatTurn) -> OpenedSession:
        """The turn's session (raises SESSION_NOT_FOUND / SESSION_EXPIRED for a stale id). The
        streaming endpoint calls this before its status line, so those errors stay HTTP errors."""
        return load.open_session(turn, self.sessions)

    def events(
        self, turn: ChatTurn, *, stream: bool = False, opened: OpenedSession | None = None
    ) -> Iterator[Event]:
        deadline = self.settings.chat_deadline_seconds
        ctx = load.load(turn, opened, self.sessions, stream=stream, deadline_seconds=deadline)
        assessment = triage.assess(ctx, self.llm, self.settings)
        if assessment.safety.emergency:
            reply = yield from protocol.respond(ctx, assessment)
        else:
            reply = yield from self._answer(ctx, assessment)
        after, asked = follow_up.next_state(ctx, reply)
        yield (
            "final",
            save.save(
                ctx, reply, assessment=assessment, after=after, follow_up=asked, sessions=self.sessions
            ),
        )

    def answer(self, turn: ChatTurn) -> dict[str, Any]:
        final: dict[str, Any] = {}
        for name, data in self.events(turn):
            if name == "final":
                final = data
        return final

    def _answer(self, ctx: TurnContext, assessment: triage.Assessment) -> Generator[Event, None, Reply]:
        """Routing, retrieval, generation and the checks: the answer to anything but an emergency."""
        routed = yield from routing.choose(ctx, assessment, self.library, self.llm, self.settings)
        prefix = assessment.prefix
        yield from tokens(prefix)
        found = yield from retrieve.search(ctx, routed, assessment, self.library)
        outcome: Outcome
        sites: tuple[DiveSite, ...] = ()
        if isinstance(found, Declined):
            outcome, sent = found, ""
        else:
            language = assessment.safety.language
            outcome, sent = yield from write(ctx, routed, found, language, self.writer)
            sites = found.sites
        body = checked(outcome, routed.chosen.agent, sites, ctx.profile)
        if body.startswith(sent):
            yield from tokens(body[len(sent) :])
        else:
            # A provider failed mid-stream, or a check replaced what was sent: start again.
            yield "reset", {"reason": "the answer was replaced"}
            yield from tokens(prefix + body)
        sources = [response.source(p) for p in getattr(outcome, "passages", ())]
        notes = {
            "follow_up_of_previous": routed.chosen.follow_up,
            "prompt_injection_suspected": routed.injection,
        }
        return Reply(outcome, routed.chosen, prefix + body, sources, notes)
