"""One chat turn, from message to saved answer, as a stream of events.

session → safety tier → (emergency protocol) | route → retrieve → generate → checks → save.
Each stage returns a typed value; the turn ends in an `Outcome`. The JSON endpoint keeps the last
event; the streaming endpoint forwards them all.

Streaming contract: `token` events add up to `final.message`, counting from the last `reset`
event. A `reset` tells the client to discard what it has shown (a provider failed after its first
token, or a check replaced the answer); what follows is the whole answer again.
"""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from collections.abc import Generator, Iterator
from typing import Any

from dovvy import logs
from dovvy.catalogue import EmergencyContacts, contacts_for
from dovvy.chat import agent_rules, emergency, followups, prompts, response
from dovvy.chat.budget import ModelBudget
from dovvy.chat.generation import Writer
from dovvy.chat.language import ENGLISH, gloss, lexicons
from dovvy.chat.leads import suggest
from dovvy.chat.outcomes import Answered, Declined, Emergency, Fallback, Outcome, OverBudget
from dovvy.chat.profile import extract, merge
from dovvy.chat.router import Agent, Route, refine, route
from dovvy.chat.safety import SafetyCheck, check, escalate
from dovvy.chat.store import Library, SessionStore
from dovvy.config import Settings
from dovvy.db.destinations import DiveSite
from dovvy.db.sessions import SessionRecord
from dovvy.knowledge.retrieval import focus
from dovvy.providers.llm import FallbackChain, Message, Prompt
from dovvy.providers.llm.offline import OfflineLLM

Event = tuple[str, dict[str, Any]]

# The route's reason when the router saw no diving word but an article is plainly about the message.
KNOWN_TO_THE_LIBRARY = "no diving word; an article is plainly about it"


@dataclasses.dataclass(frozen=True)
class ChatTurn:
    message: str
    session_id: uuid.UUID | None = None
    diver_profile: dict[str, Any] | None = None
    state: dict[str, Any] | None = None  # the client's conversation state, as sent; None if not sent


@dataclasses.dataclass(frozen=True)
class OpenedSession:
    record: SessionRecord
    created: bool


def _never_declined(chosen: Route, safety: SafetyCheck) -> Route:
    """A message about a body, a symptom or a diver in trouble is never declined as off-topic: it
    goes to the safety agent when nothing else claimed it."""
    if safety.tier != "caution":
        return chosen
    agent = "safety" if chosen.confidence == 0.0 or not chosen.on_topic else chosen.agent
    return dataclasses.replace(chosen, agent=agent, on_topic=True)


def _language_name(language: str) -> str | None:
    """The English name of a reply language other than English (for the model's instruction)."""
    lexicon = lexicons().get(language.split("-", maxsplit=1)[0])
    return lexicon.english_name if lexicon is not None and lexicon.code != ENGLISH else None


def _in_english_words(chosen: Route, message: str, language: str) -> Route:
    """A question in another language, routed and searched with its glossary's English words, and
    never declined as off-topic when it names diving in its own language."""
    if language == ENGLISH:
        return chosen
    diving, english = gloss(message, language)
    if not (diving or english):
        return chosen
    routed = route(f"{message} {english}")
    on_topic = chosen.on_topic or diving or routed.on_topic
    why = routed.reason if routed.on_topic else "a diving word"
    reason = f"{why} (in {_language_name(language)})"
    agent = routed.agent if routed.confidence > 0 or not chosen.on_topic else chosen.agent
    return dataclasses.replace(
        chosen, agent=agent, reason=reason, on_topic=on_topic, query=english or chosen.query
    )


def _with_offline_notice(outcome: Outcome, language: str) -> Outcome:
    """An answer the offline composer wrote (in English) when the hosted models could not, to a
    question in another language, says so first, in that language."""
    notice = emergency.offline_notice(language)
    offline = isinstance(outcome, Fallback | OverBudget) or (
        isinstance(outcome, Answered) and outcome.provider == OfflineLLM.name
    )
    if notice is None or not offline:
        return outcome
    return dataclasses.replace(outcome, text=f"_{notice}_\n\n{outcome.text}")


def _tokens(text: str) -> Iterator[Event]:
    for piece in re.findall(r"\s*\S+\s*", text):
        yield "token", {"text": piece}


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._started = time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = round((now - self._started) * 1000, 2)
        logs.add_stage(stage, self.stages[stage])
        self._started = now


class ChatService:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: SessionStore,
        library: Library,
        llm: FallbackChain,
        budget: ModelBudget | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.library = library
        self.llm = llm
        self.writer = Writer(llm, budget)
        self.hosted = self.writer.hosted

    # --- the turn -----------------------------------------------------------------------------

    def open(self, turn: ChatTurn) -> OpenedSession:
        """The turn's session (raises SESSION_NOT_FOUND / SESSION_EXPIRED for a stale id). The
        streaming endpoint calls this before its status line, so those errors stay HTTP errors."""
        record, created = self.sessions.open(turn.session_id, turn.diver_profile or {})
        return OpenedSession(record, created)

    def events(
        self, turn: ChatTurn, *, stream: bool = False, opened: OpenedSession | None = None
    ) -> Iterator[Event]:
        clock = _Clock()
        deadline = time.perf_counter() + self.settings.chat_deadline_seconds
        opened = opened or self.open(turn)
        session, created = opened.record, opened.created
        clock.mark("session")
        state = followups.starting_state(session.conversation_state, turn.state)
        update = merge(turn.diver_profile or {}, extract(turn.message))
        profile = merge(session.diver_profile, update)
        level = None if profile.get("certification_level") else followups.level_from(state)
        if level:
            update["certification_level"] = profile["certification_level"] = level
        safety = check(turn.message)
        if safety.tier == "caution" and self.settings.llm_routing:
            safety = escalate(safety, turn.message, self.llm, timeout=self.settings.router_timeout_seconds)
        contacts = contacts_for(turn.message, profile.get("destination"))
        extra: dict[str, Any] = {
            "safety": {
                "tier": safety.tier,
                "category": safety.category,
                "reason": safety.reason,
                "language": safety.language,
            }
        }

        if safety.emergency:
            outcome: Outcome = Emergency(emergency.reply(safety, contacts), safety)
            chosen = Route("safety", safety.reason, 1.0, False, turn.message, True)
            yield "route", {"agent": "emergency", "reason": safety.reason}
            sources = [
                response.emergency_source(path, title) for path, title in emergency.sources_for(safety)
            ]
            body, prefix = outcome.text, ""
            yield from (("citation", source) for source in sources)
            yield from _tokens(body)
        else:
            history = [(str(t.get("role")), str(t.get("content", ""))) for t in session.conversation_history]
            chosen, injection, question = self._route(
                turn.message, history, safety, followups.prior_agent(state)
            )
            chosen = _in_english_words(chosen, turn.message, safety.language)
            extra.update(follow_up_of_previous=chosen.follow_up, prompt_injection_suspected=injection)
            yield "route", {"agent": chosen.agent, "reason": chosen.reason}
            prefix = self._prefix(safety, contacts)
            yield from _tokens(prefix)
            outcome, sent, sites = yield from self._answer(
                chosen=chosen,
                caution=safety.tier == "caution",
                injection=injection,
                question=question,
                history=session.conversation_history,
                profile=profile,
                stream=stream,
                deadline=deadline,
                clock=clock,
                session_id=session.id,
                language=safety.language,
            )
            passages = list(getattr(outcome, "passages", ()))
            sources = [response.source(p) for p in passages]
            body = self._checked(outcome, chosen.agent, sites, profile)
            if body.startswith(sent):
                yield from _tokens(body[len(sent) :])
            else:
                # A provider failed mid-stream, or a check replaced what was sent: start again.
                yield "reset", {"reason": "the answer was replaced"}
                yield from _tokens(prefix + body)
        text = prefix + body
        after, follow_up = self._next_state(
            state, outcome, chosen, turn.message, profile, stored=session.conversation_state
        )
        reference = turn.state if turn.state is not None else session.conversation_state
        extra["state_updates"] = followups.changes(reference, after)
        self.sessions.append(session.id, turn.message, text, update, after)
        clock.mark("save")
        yield (
            "final",
            response.build(
                text=text,
                outcome=outcome,
                chosen=chosen,
                session_id=session.id,
                sources=sources,
                lead=None if isinstance(outcome, Emergency) else suggest(turn.message, chosen.agent, profile),
                follow_up=follow_up.question if follow_up else None,
                latency_ms=clock.stages,
                created=created,
                extra=extra,
            ),
        )

    def answer(self, turn: ChatTurn) -> dict[str, Any]:
        final: dict[str, Any] = {}
        for name, data in self.events(turn):
            if name == "final":
                final = data
        return final

    # --- stages -------------------------------------------------------------------------------

    @staticmethod
    def _next_state(
        state: dict[str, Any],
        outcome: Outcome,
        chosen: Route,
        message: str,
        profile: dict[str, Any],
        *,
        stored: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], followups.FollowUp | None]:
        """The conversation state after this turn, with the follow-up it asks (already recorded)."""
        agent = "emergency" if isinstance(outcome, Emergency) else chosen.agent
        on_topic = not isinstance(outcome, Declined) or outcome.reason == "not_found"
        after = followups.next_state(state, agent=agent, answered=on_topic, message=message, profile=profile)
        # Nothing found is still a diving question: the destination or certification may be what
        # the next attempt needs. Only a declined (off-topic, injected) message asks nothing.
        follow_up = followups.choose(
            after, agent=agent, answered=on_topic, message=message, profile=profile, stored=stored
        )
        return followups.asked(after, follow_up), follow_up

    def _route(
        self, message: str, history: list[tuple[str, str]], safety: SafetyCheck, prior: Agent | None
    ) -> tuple[Route, bool, str]:
        """(route, injection suspected, the question left once rule-changing text is set aside)."""
        injection = prompts.looks_like_injection(message)
        question = prompts.without_injection(message) if injection else message
        chosen = route(question or message, history, prior)
        if self.settings.llm_routing:
            chosen = refine(
                chosen, question or message, self.llm, timeout=self.settings.router_timeout_seconds
            )
        chosen = _never_declined(chosen, safety)
        # The router knows diving by its words; a question in none of them ("what is the rule of
        # thirds for gas") is still one when an article is plainly about it. Answering embeds the
        # same text again: the runtime's QueryCache serves it without a second provider call.
        if (
            not chosen.on_topic
            and not injection
            and self.library.covers(chosen.query, self.library.embed(focus(chosen.query)))
        ):
            chosen = dataclasses.replace(chosen, on_topic=True, reason=KNOWN_TO_THE_LIBRARY)
        return chosen, injection, question

    def _prefix(self, safety: SafetyCheck, contacts: EmergencyContacts) -> str:
        """What comes before the answer: the caution line, and for a question in another language
        answered offline, a line in that language saying so (known before anything streams: every
        answer in a deployment without a hosted model is written offline)."""
        caution = safety.tier == "caution"
        prefix = emergency.caution_line(contacts, safety.language) + "\n\n" if caution else ""
        notice = None if self.hosted else emergency.offline_notice(safety.language)
        return prefix + f"_{notice}_\n\n" if notice else prefix

    def _answer(
        self,
        *,
        chosen: Route,
        caution: bool,
        injection: bool,
        question: str,
        history: list[dict[str, Any]],
        profile: dict[str, Any],
        stream: bool,
        deadline: float,
        clock: _Clock,
        session_id: uuid.UUID,
        language: str = ENGLISH,
    ) -> Generator[Event, None, tuple[Outcome, str, list[DiveSite]]]:
        """Decline, or retrieve and generate. Returns (outcome, text streamed so far, dive sites)."""
        if injection and not (question and chosen.on_topic):
            return Declined(agent_rules.refusal(), "injection"), "", []
        if not chosen.on_topic:
            return Declined(agent_rules.off_topic(), "off_topic"), "", []
        vector = self.library.embed(focus(chosen.query))
        clock.mark("embed")
        shelf = agent_rules.filters_for(chosen.agent)
        passages = self.library.search(chosen.query, vector, shelf, relaxed=caution)
        clock.mark("retrieve")
        if not passages:
            return Declined(agent_rules.nothing_found(chosen.agent), "not_found"), "", []
        context = self.library.sections(passages[:3]) or passages
        sites = self.library.sites(profile.get("destination")) if chosen.agent == "trip" else []
        for passage in passages:
            yield "citation", response.source(passage)
        lines = agent_rules.site_lines(sites, profile)
        rendered = prompts.render_user_turn(question, context, profile, lines)
        prompt = Prompt(
            system=prompts.system_prompt(chosen.agent, _language_name(language)),
            messages=(*prompts.history_messages(history), Message("user", rendered)),
            question=chosen.query,
            passages=tuple(context),
            agent=chosen.agent,
            emphasis=question if chosen.follow_up else "",
        )
        outcome, sent = yield from self.writer.answer(prompt, tuple(passages), stream, deadline, session_id)
        clock.mark("generate")
        return (_with_offline_notice(outcome, language) if self.hosted else outcome), sent, sites

    @staticmethod
    def _checked(outcome: Outcome, agent: str, sites: list[DiveSite], profile: dict[str, Any]) -> str:
        text = outcome.text
        if isinstance(outcome, Declined | Emergency):
            return text
        if prompts.leaks(text):
            return agent_rules.refusal()
        if agent == "trip" and sites:
            notes = agent_rules.certification_notes(text, sites, profile)
            if notes:
                text = text + "\n\n" + "\n".join(notes)
        if agent == "safety":
            text = agent_rules.with_disclaimer(text)
        return text
