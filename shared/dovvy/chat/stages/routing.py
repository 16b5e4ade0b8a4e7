"""Routing: which agent answers and with what query. Text that tries to change the rules is set
aside first; a caution message is never declined as off-topic; a question in another language is
routed with its glossary's English words; and a message in no diving word that an article is
plainly about is still on topic."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator

from dovvy import catalogue
from dovvy.catalogue import names
from dovvy.chat import followups, prompts
from dovvy.chat.language import english_name, gloss
from dovvy.chat.lexicon import ENGLISH
from dovvy.chat.router import Route, refine, route
from dovvy.chat.stages.triage import Assessment
from dovvy.chat.store import Library
from dovvy.chat.turn import Event, TurnContext
from dovvy.config import Settings
from dovvy.knowledge.query_text import focus
from dovvy.providers.llm import FallbackChain

# The route's reason when the router saw no diving word but an article is plainly about the message.
KNOWN_TO_THE_LIBRARY = "no diving word; an article is plainly about it"


@dataclasses.dataclass(frozen=True)
class Routed:
    chosen: Route
    injection: bool  # the message tried to change the rules
    question: str  # the message with any rule-changing text set aside


def _never_declined(chosen: Route, assessment: Assessment) -> Route:
    """A message about a body, a symptom or a diver in trouble goes to the safety agent when
    nothing else claimed it."""
    if not assessment.caution:
        return chosen
    agent = "safety" if chosen.confidence == 0.0 or not chosen.on_topic else chosen.agent
    return dataclasses.replace(chosen, agent=agent, on_topic=True)


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
    agent = routed.agent if routed.confidence > 0 or not chosen.on_topic else chosen.agent
    return dataclasses.replace(
        chosen,
        agent=agent,
        reason=f"{why} (in {english_name(language)})",
        on_topic=on_topic,
        query=" ".join((english, *_places_in(message))) if english else chosen.query,
    )


def _places_in(message: str) -> tuple[str, ...]:
    """The places a message in another language names, as the English words name them: the
    English name of a place it writes in any language ("モルディブ": maldives; the English words
    alone lost "Tioman", and the question was answered from another place's guide), and the
    catalogue's name for a destination it writes in another script ("诗巴丹")."""
    named = names.places_named(message)
    found = set(catalogue.destinations_named(" ".join(named)))
    other_scripts = [code for code in catalogue.destinations_named(message) if code not in found]
    return (*named, *map(catalogue.display_name, other_scripts))


def _in_the_country(chosen: Route, message: str) -> Route:
    """A question that names a country (or a region of one) and none of its destinations searches
    with the names of the catalogue's destinations there, so their guides can answer it."""
    places = catalogue.destinations_in_country(message)
    if not places:
        return chosen
    names = " ".join(place.display_name for place in places)
    return dataclasses.replace(chosen, query=f"{chosen.query} {names}")


def _known_to_the_library(chosen: Route, injection: bool, library: Library) -> Route:
    # The router knows diving by its words; a question in none of them ("what is the rule of
    # thirds for gas") is still one when an article is plainly about it. Answering embeds the
    # same text again: the runtime's QueryCache serves it without a second provider call.
    if chosen.on_topic or injection:
        return chosen
    if not library.covers(chosen.query, library.embed(focus(chosen.query))):
        return chosen
    return dataclasses.replace(chosen, on_topic=True, reason=KNOWN_TO_THE_LIBRARY)


def choose(
    ctx: TurnContext,
    assessment: Assessment,
    library: Library,
    llm: FallbackChain,
    settings: Settings,
) -> Generator[Event, None, Routed]:
    message = ctx.message
    injection = prompts.looks_like_injection(message)
    question = prompts.without_injection(message) if injection else message
    history = [(str(t.get("role")), str(t.get("content", ""))) for t in ctx.session.conversation_history]
    chosen = route(question or message, history, followups.prior_agent(ctx.state))
    if settings.llm_routing:
        chosen = refine(chosen, question or message, llm, timeout=settings.router_timeout_seconds)
    chosen = _never_declined(chosen, assessment)
    chosen = _in_the_country(chosen, question or message)
    chosen = _known_to_the_library(chosen, injection, library)
    chosen = _in_english_words(chosen, message, assessment.safety.language)
    yield "route", {"agent": chosen.agent, "reason": chosen.reason}
    return Routed(chosen, injection, question)
