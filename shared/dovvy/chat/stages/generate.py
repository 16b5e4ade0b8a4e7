"""Generate: the model's answer within the turn's deadline and the day's
model budget, streamed with a few characters held back so a leaked system prompt is caught before
the client has it; the offline composer's answer when the hosted models fail, run out of time or of
budget."""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Generator, Iterator
from typing import Any

from dovvy.catalogue import names
from dovvy.chat import agent_rules, emergency, prompts
from dovvy.chat.budget import NOTICE, ModelBudget
from dovvy.chat.language import english_name
from dovvy.chat.outcomes import Answered, Fallback, Outcome, OverBudget
from dovvy.chat.stages.retrieve import Found
from dovvy.chat.stages.routing import Routed
from dovvy.chat.turn import Event, TurnContext
from dovvy.passages import Passage
from dovvy.providers.llm import FallbackChain, Generation, LLMError, Message, Prompt
from dovvy.providers.llm.offline import OfflineLLM
from dovvy.text import count_tokens

# Characters of a hosted model's stream held back until the answer checks have seen them (a leaked
# prompt or a depth note is caught before the client has it).
_HOLDBACK_CHARS = 48


class DeadlineExceeded(Exception):
    """The turn used up its time budget before the model finished."""


def _tokens_used(prompt: Prompt, answer: str) -> int:
    """An estimate of what a hosted call cost (system prompt, conversation and answer)."""
    return (
        count_tokens(prompt.system)
        + sum(count_tokens(m.content) for m in prompt.messages)
        + count_tokens(answer)
    )


def _within(items: Iterator[Any], deadline: float) -> Iterator[Any]:
    """Items from `items`, produced on a worker thread, until `deadline` (a perf_counter value):
    a provider that hangs cannot hold the turn past it. Errors are re-raised here."""
    channel: queue.Queue[tuple[str, Any]] = queue.Queue()

    def produce() -> None:
        try:
            for item in items:
                channel.put(("item", item))
            channel.put(("end", None))
        except LLMError as exc:
            channel.put(("error", exc))

    threading.Thread(target=produce, name="chat-generate", daemon=True).start()
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise DeadlineExceeded
        try:
            kind, value = channel.get(timeout=remaining)
        except queue.Empty:
            raise DeadlineExceeded from None
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


class Writer:
    """Writes a turn's answer: the hosted chain when there is one, the offline composer otherwise
    or after it failed."""

    def __init__(self, llm: FallbackChain, budget: ModelBudget | None = None) -> None:
        self.llm = llm
        self.budget = budget
        self.hosted = llm.hosted
        self.offline = OfflineLLM()

    def answer(
        self,
        prompt: Prompt,
        passages: tuple[Passage, ...],
        stream: bool,
        deadline: float,
        subject: str,
    ) -> Generator[Event, None, tuple[Outcome, str]]:
        """The model's answer, streamed with a little held back so a leaked prompt is caught
        before it is sent; within the turn's deadline and the day's model budget (the diver's
        share counted against `subject`). Returns (outcome, text sent)."""
        budget = self.budget if self.hosted else None
        spent = budget.spent(subject) if budget is not None else None
        if spent is not None:
            return OverBudget(f"{NOTICE}\n\n{self.offline_answer(prompt)}", spent, passages), ""
        outcome, sent = yield from self._model_answer(prompt, passages, stream, deadline)
        if budget is not None and isinstance(outcome, Answered) and outcome.hosted:
            budget.charge(subject, _tokens_used(prompt, outcome.text))
        return outcome, sent

    def _model_answer(
        self, prompt: Prompt, passages: tuple[Passage, ...], stream: bool, deadline: float
    ) -> Generator[Event, None, tuple[Outcome, str]]:
        received = ""
        sent = ""
        source = Generation("", self.llm.name, self.llm.model)
        try:
            if not stream:
                generation = self._once(prompt, deadline)
                answered = Answered(
                    generation.text, generation.provider, generation.model, passages, generation.hosted
                )
                return answered, ""
            for token, source in _within(self.llm.stream_from(prompt), deadline):  # noqa: B007 - last one names the provider
                received += token
                if prompts.leaks(received):
                    break
                safe_until = len(received) - _HOLDBACK_CHARS
                if safe_until > len(sent):
                    yield "token", {"text": received[len(sent) : safe_until]}
                    sent = received[:safe_until]
        except (LLMError, DeadlineExceeded) as exc:
            cause = "the turn ran out of time" if isinstance(exc, DeadlineExceeded) else str(exc)
            return Fallback(self.offline_answer(prompt), cause, passages), sent
        return Answered(received.strip(), source.provider, source.model, passages, source.hosted), sent

    def _once(self, prompt: Prompt, deadline: float) -> Generation:
        def call() -> Iterator[Generation]:
            yield self.llm.generate(prompt)

        generation: Generation = next(_within(call(), deadline))
        return generation

    def offline_answer(self, prompt: Prompt) -> str:
        try:
            return self.offline.generate(prompt).text
        except LLMError:
            return agent_rules.fallback_answer(prompt.passages)


def _prompt(ctx: TurnContext, routed: Routed, found: Found, language: str) -> Prompt:
    chosen = routed.chosen
    lines = agent_rules.site_lines(found.sites, ctx.profile)
    rendered = prompts.render_user_turn(routed.question, found.context, ctx.profile, lines)
    where = names.subject(chosen.query)
    return Prompt(
        system=prompts.system_prompt(chosen.agent, english_name(language)),
        messages=(*prompts.history_messages(ctx.session.conversation_history), Message("user", rendered)),
        question=chosen.query,
        passages=found.context,
        agent=chosen.agent,
        emphasis=routed.question if chosen.follow_up else "",
        here=where.here,
        elsewhere=where.elsewhere,
    )


def _with_offline_notice(outcome: Outcome, language: str) -> Outcome:
    """An answer the offline composer wrote (in English) when the hosted models could not, to a
    question in another language, says so first, in that language."""
    notice = emergency.offline_notice(language)
    offline = isinstance(outcome, Fallback | OverBudget) or (
        isinstance(outcome, Answered) and not outcome.hosted
    )
    if notice is None or not offline:
        return outcome
    return dataclasses.replace(outcome, text=f"_{notice}_\n\n{outcome.text}")


def write(
    ctx: TurnContext, routed: Routed, found: Found, language: str, writer: Writer
) -> Generator[Event, None, tuple[Outcome, str]]:
    """The answer from the passages found, and the text already streamed of it."""
    prompt = _prompt(ctx, routed, found, language)
    outcome, sent = yield from writer.answer(
        prompt, found.passages, ctx.stream, ctx.deadline, ctx.budget_subject
    )
    ctx.clock.mark("generate")
    # Without a hosted model the triage stage put the notice before the answer already.
    return (_with_offline_notice(outcome, language) if writer.hosted else outcome), sent
