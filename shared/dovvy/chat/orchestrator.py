"""One chat turn, from message to saved answer, as a stream of events.

session → emergency check → route → retrieve → generate → checks → profile and lead → save.
The JSON endpoint keeps the last event; the streaming endpoint forwards them all.
"""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from collections.abc import Generator, Iterator
from typing import Any

from dovvy.catalogue import contacts_for
from dovvy.chat import agents, emergency, prompts
from dovvy.chat.leads import suggest
from dovvy.chat.profile import extract, merge
from dovvy.chat.router import Route, refine, route
from dovvy.chat.safety import SafetyCheck, check, escalate
from dovvy.db import content as content_repo
from dovvy.db import destinations as destinations_repo
from dovvy.db import sessions as sessions_repo
from dovvy.knowledge.chunking import count_tokens
from dovvy.knowledge.retrieval import Passage, focus
from dovvy.providers.llm import Generation, LLMError, Message, Prompt
from dovvy.runtime import Runtime

MAX_STORED_MESSAGES = 200
Event = tuple[str, dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class ChatTurn:
    message: str
    session_id: uuid.UUID | None = None
    diver_profile: dict[str, Any] | None = None


# (strong, weak) cosine similarity for a passage to count as relevant: strong alone, or weak with
# a full-text match too. Calibrated for the offline embedder on the eval questions, where
# questions the knowledge base cannot answer (other destinations, ice diving) stay below them.
# Gemini's scale is different and these defaults for it are a guess to recalibrate with real keys.
RELEVANCE = {"wordllama-l2-supercat-256": (0.33, 0.26)}
_DEFAULT_RELEVANCE = (0.55, 0.45)


def _relevant(passage: Passage, model: str) -> bool:
    strong, weak = RELEVANCE.get(model, _DEFAULT_RELEVANCE)
    similarity = passage.similarity or 0.0
    keyword_match = passage.keyword_rank is not None and passage.keyword_rank <= 10
    return similarity >= strong or (similarity >= weak and keyword_match)


_HOLDBACK = 48


def _leaks(text: str) -> bool:
    """Whether an answer repeats the system prompt (its canary or its opening rule line)."""
    return prompts.CANARY in text or "Rules you always follow" in text


def _never_declined(chosen: Route, safety: SafetyCheck) -> Route:
    """A message about a body, a symptom or a diver in trouble is never declined as off-topic: it
    goes to the safety agent when nothing else claimed it."""
    if safety.tier != "caution":
        return chosen
    agent = "safety" if chosen.confidence == 0.0 or not chosen.on_topic else chosen.agent
    return dataclasses.replace(chosen, agent=agent, on_topic=True)


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._started = time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = round((now - self._started) * 1000, 2)
        self._started = now


class ChatService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings

    # --- stages -------------------------------------------------------------------------------

    def _session(self, turn: ChatTurn) -> tuple[sessions_repo.SessionRecord, bool]:
        hours = self.settings.session_expiry_hours

        def load(conn: Any) -> tuple[sessions_repo.SessionRecord, bool]:
            if turn.session_id is not None:
                found = sessions_repo.get_live(conn, turn.session_id)
                if found is not None:
                    return found, False
            return sessions_repo.create(
                conn, diver_profile=turn.diver_profile or {}, expiry_hours=hours
            ), True

        return self.runtime.pool.run(load)

    def _retrieve(self, chosen: Route, clock: _Clock) -> tuple[list[Passage], list[Passage]]:
        """(sources, context): the best passage of each relevant document, and for the prompt
        every section of the top documents — the knowledge base's articles are short, and whole
        sections answer better than the single chunk that happened to rank first."""
        vector = self.runtime.embedder.embed_query(focus(chosen.query))
        clock.mark("embed")
        retriever = self.runtime.retriever
        shelf = agents.filters_for(chosen.agent)
        found = retriever.search(chosen.query, top_k=4, per_document=1, filters=shelf, embedding=vector)
        sources = [p for p in found if _relevant(p, retriever.embedder.model)]
        if not sources:
            # The router may have picked the wrong shelf: look across the whole knowledge base.
            found = retriever.search(chosen.query, top_k=4, per_document=1, embedding=vector)
            sources = [p for p in found if _relevant(p, retriever.embedder.model)]
        context = self._expand(sources[:3])
        clock.mark("retrieve")
        return sources, context

    def _expand(self, sources: list[Passage], budget_tokens: int = 1800) -> list[Passage]:
        if not sources:
            return []
        model = self.runtime.embedder.model
        paths = [p.content_path for p in sources]
        rows = self.runtime.pool.run(
            lambda conn: content_repo.document_chunks(conn, paths, model), transaction=False
        )
        by_path: dict[str, list[Passage]] = {}
        for path, _, text, metadata in rows:
            if metadata.get("heading") == "Summary":
                continue
            best = next(p for p in sources if p.content_path == path)
            by_path.setdefault(path, []).append(
                dataclasses.replace(
                    best, text=text, heading=str(metadata.get("heading", "")), metadata=metadata
                )
            )
        context: list[Passage] = []
        used = 0
        for path in paths:
            for passage in by_path.get(path, []):
                cost = count_tokens(passage.text)
                if context and used + cost > budget_tokens:
                    return context
                context.append(passage)
                used += cost
        return context

    def _sites(self, profile: dict[str, Any]) -> list[destinations_repo.DiveSite]:
        destination = profile.get("destination")

        def load(conn: Any) -> list[destinations_repo.DiveSite]:
            if destination:
                return destinations_repo.sites_for_destination(conn, str(destination))
            return [site for d in destinations_repo.list_destinations(conn) for site in d.sites]

        return self.runtime.pool.run(load, transaction=False)

    def _save(self, session_id: uuid.UUID, message: str, answer: str, profile_update: dict[str, Any]) -> None:
        turns = [{"role": "user", "content": message}, {"role": "assistant", "content": answer}]
        self.runtime.pool.run(
            lambda conn: sessions_repo.append_turns(
                conn,
                session_id,
                turns=turns,
                profile_update=profile_update,
                expiry_hours=self.settings.session_expiry_hours,
                max_messages=MAX_STORED_MESSAGES,
            )
        )

    # --- the turn -----------------------------------------------------------------------------

    def events(self, turn: ChatTurn, *, stream: bool = False) -> Iterator[Event]:  # noqa: PLR0915 - split next
        clock = _Clock()
        session, created = self._session(turn)
        clock.mark("session")
        history = session.conversation_history
        update = merge(turn.diver_profile or {}, extract(turn.message))
        profile = merge(session.diver_profile, update)

        safety = check(turn.message)
        if safety.tier == "caution" and self.settings.llm_routing:
            safety = escalate(
                safety, turn.message, self.runtime.llm, timeout=self.settings.router_timeout_seconds
            )
        contacts = contacts_for(turn.message, profile.get("destination"))
        if safety.emergency:
            yield from self._emergency(
                turn=turn,
                session_id=session.id,
                created=created,
                update=update,
                safety=safety,
                text=emergency.reply(safety, contacts),
                clock=clock,
            )
            return

        injection = prompts.looks_like_injection(turn.message)
        # An attempt to change the rules is set aside; whatever diving question remains is answered.
        question = prompts.without_injection(turn.message) if injection else turn.message
        asked = question or turn.message
        chosen = route(asked, [(str(t.get("role")), str(t.get("content", ""))) for t in history])
        if self.settings.llm_routing:
            chosen = refine(chosen, asked, self.runtime.llm, timeout=self.settings.router_timeout_seconds)
        chosen = _never_declined(chosen, safety)
        yield "route", {"agent": chosen.agent, "reason": chosen.reason}
        prefix = emergency.caution_line(contacts) + "\n\n" if safety.tier == "caution" else ""
        yield from self._tokens(prefix)
        passages: list[Passage] = []
        sites: list[destinations_repo.DiveSite] = []
        generation = Generation("", "none", "none")
        if injection and not (question and chosen.on_topic):
            text = agents.refusal()
        elif not chosen.on_topic:
            text = agents.off_topic()
        else:
            passages, context = self._retrieve(chosen, clock)
            if chosen.agent == "trip":
                sites = self._sites(profile)
            if not passages:
                text = agents.nothing_found(chosen.agent)
            else:
                for passage in passages:
                    yield "citation", self._source(passage)
                prompt = self._prompt(
                    chosen=chosen,
                    history=history,
                    message=question,
                    passages=context or passages,
                    profile=profile,
                    sites=sites,
                )
                text, generation = yield from self._generate(prompt, stream)
                clock.mark("generate")
        generated = text
        text = self._checked(text, chosen.agent, passages, sites, profile)
        if not stream or generation.provider == "none":
            yield from self._tokens(text)
        elif text.startswith(generated) and not _leaks(generated):
            # Disclaimers and certification notes added after generation stream as tokens too.
            yield from self._tokens(text[len(generated) :])
        text = prefix + text
        self._save(session.id, turn.message, text, update)
        clock.mark("save")
        lead = suggest(turn.message, chosen.agent, profile)
        yield (
            "final",
            self._response(
                text=text,
                session_id=session.id,
                agent=chosen.agent,
                reason=chosen.reason,
                passages=passages,
                lead=lead,
                generation=generation,
                clock=clock,
                created=created,
                requested=turn.session_id,
                follow_up=None if not chosen.on_topic or not passages else agents.FOLLOW_UPS[chosen.agent],
                extra={
                    "follow_up_of_previous": chosen.follow_up,
                    "prompt_injection_suspected": injection,
                    "safety": {"tier": safety.tier, "category": safety.category, "reason": safety.reason},
                },
            ),
        )

    def answer(self, turn: ChatTurn) -> dict[str, Any]:
        final: dict[str, Any] = {}
        for name, data in self.events(turn):
            if name == "final":
                final = data
        return final

    # --- helpers ------------------------------------------------------------------------------

    def _prompt(
        self,
        *,
        chosen: Route,
        history: list[dict[str, Any]],
        message: str,
        passages: list[Passage],
        profile: dict[str, Any],
        sites: list[destinations_repo.DiveSite],
    ) -> Prompt:
        rendered = prompts.render_user_turn(message, passages, profile, agents.site_lines(sites, profile))
        messages = (*prompts.history_messages(history), Message("user", rendered))
        return Prompt(
            system=prompts.system_prompt(chosen.agent),
            messages=messages,
            question=chosen.query,
            passages=tuple(passages),
            agent=chosen.agent,
            emphasis=message if chosen.follow_up else "",
        )

    def _generate(self, prompt: Prompt, stream: bool) -> Generator[Event, None, tuple[str, Generation]]:
        llm = self.runtime.llm
        try:
            if stream:
                # Tokens are held back a little so a leaked prompt is caught before it is sent:
                # once the guard trips, nothing more streams and `final` carries the replacement.
                received = ""
                sent = 0
                source = Generation("", "none", "none")
                for token, source in llm.stream(prompt):  # noqa: B007 - the last one names the provider
                    received += token
                    if _leaks(received):
                        break
                    safe_until = max(sent, len(received) - _HOLDBACK)
                    if safe_until > sent:
                        yield "token", {"text": received[sent:safe_until]}
                        sent = safe_until
                if not _leaks(received) and len(received) > sent:
                    yield "token", {"text": received[sent:]}
                text = received.strip()
                return text, Generation(text, source.provider, source.model)
            generation = llm.generate(prompt)
            return generation.text, generation
        except LLMError as exc:
            if stream:
                yield (
                    "error",
                    {
                        "detail": "The answer could not be completed; here are the sources instead.",
                        "code": "LLM_UNAVAILABLE",
                    },
                )
            text = agents.fallback_answer(prompt.passages)
            return text, Generation(text, "none", f"fallback after: {exc}")

    @staticmethod
    def _checked(
        text: str,
        agent: str,
        passages: list[Passage],
        sites: list[destinations_repo.DiveSite],
        profile: dict[str, Any],
    ) -> str:
        if _leaks(text):
            text = agents.refusal()
        if agent == "trip" and sites:
            notes = agents.certification_notes(text, sites, profile)
            if notes:
                text = text + "\n\n" + "\n".join(notes)
        if agent == "safety" and passages:
            text = agents.with_disclaimer(text)
        return text

    @staticmethod
    def _tokens(text: str) -> Iterator[Event]:
        for piece in re.findall(r"\s*\S+\s*", text):
            yield "token", {"text": piece}

    @staticmethod
    def _source(passage: Passage) -> dict[str, Any]:
        return {
            "path": passage.content_path,
            "title": passage.title,
            "heading": passage.heading or None,
            "score": round(passage.score, 5),
        }

    def _emergency(
        self,
        *,
        turn: ChatTurn,
        session_id: uuid.UUID,
        created: bool,
        update: dict[str, Any],
        safety: SafetyCheck,
        text: str,
        clock: _Clock,
    ) -> Iterator[Event]:
        yield "route", {"agent": "emergency", "reason": safety.reason}
        sources = [
            {"path": path, "title": title, "heading": None, "score": 1.0}
            for path, title in emergency.sources_for(safety)
        ]
        for source in sources:
            yield "citation", source
        yield from self._tokens(text)
        self._save(session_id, turn.message, text, update)
        clock.mark("save")
        yield (
            "final",
            self._response(
                text=text,
                session_id=session_id,
                agent="emergency",
                reason=safety.reason,
                passages=[],
                sources=sources,
                lead=None,
                generation=Generation(text, "none", "emergency-protocol"),
                clock=clock,
                created=created,
                requested=turn.session_id,
                follow_up="Are you or your buddy with someone who can call for help and give oxygen?",
                extra={"safety": {"tier": safety.tier, "category": safety.category, "reason": safety.reason}},
            ),
        )

    def _response(
        self,
        *,
        text: str,
        session_id: uuid.UUID,
        agent: str,
        reason: str,
        passages: list[Passage],
        lead: dict[str, Any] | None,
        generation: Generation,
        clock: _Clock,
        created: bool,
        requested: uuid.UUID | None,
        follow_up: str | None,
        sources: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        listed = sources if sources is not None else [self._source(p) for p in passages]
        metadata: dict[str, Any] = {
            "citations": list(dict.fromkeys(s["path"] for s in listed)),
            "route": {"agent": agent, "reason": reason},
            "provider": generation.provider,
            "model": generation.model,
            "latency_ms": clock.stages,
            "session_created": created,
        }
        if created and requested is not None:
            metadata["session_note"] = "the requested session was unknown or expired; a new one was started"
        metadata.update(extra or {})
        return {
            "message": text,
            "sessionId": str(session_id),
            "agentType": agent,
            "followUpQuestion": follow_up,
            "sources": listed,
            "leadSuggestion": lead,
            "metadata": metadata,
        }
