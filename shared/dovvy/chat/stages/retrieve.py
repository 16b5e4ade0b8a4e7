"""Retrieve: the passages that answer the question, from the routed agent's shelf first (whole
sections of the best articles for the prompt, the dive sites for a trip), or the reason there is
nothing to answer from: off-topic, an attempt to change the rules, nothing relevant found."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator

from dovvy import catalogue
from dovvy.catalogue import names
from dovvy.chat import agent_rules, coverage, emergency, language, response
from dovvy.chat.outcomes import Declined
from dovvy.chat.stages.routing import Routed
from dovvy.chat.stages.triage import Assessment
from dovvy.chat.store import Library, about_a_place
from dovvy.chat.turn import Event, TurnContext
from dovvy.db.destinations import DiveSite
from dovvy.knowledge.filters import Filters
from dovvy.knowledge.query_text import focus
from dovvy.passages import Passage


@dataclasses.dataclass(frozen=True)
class Found:
    passages: tuple[Passage, ...]  # the best passage of each relevant article, best first
    context: tuple[Passage, ...]  # what the prompt gets: whole sections of the top articles
    sites: tuple[DiveSite, ...]  # the dive sites a trip answer checks against the diver's level


def _declined(routed: Routed, message: str) -> Declined | None:
    chosen = routed.chosen
    if routed.injection and not (routed.question and chosen.on_topic):
        return Declined(agent_rules.refusal(), "injection")
    if not chosen.on_topic and language.unread(message):
        # Not off topic: unknown. It may be a diver in trouble writing in their own language.
        return Declined(emergency.unread_reply(catalogue.contacts_for(message)), "unread_language")
    if not chosen.on_topic:
        return Declined(agent_rules.off_topic(), "off_topic")
    return None


def search(
    ctx: TurnContext, routed: Routed, assessment: Assessment, library: Library
) -> Generator[Event, None, Found | Declined]:
    declined = _declined(routed, ctx.message)
    if declined is not None:
        return declined
    chosen = routed.chosen
    vector = library.embed(focus(chosen.query))
    ctx.clock.mark("embed")
    shelf = agent_rules.filters_for(chosen.agent)
    places = catalogue.destinations_named(chosen.query)
    passages = library.search(chosen.query, vector, shelf, relaxed=assessment.caution, places=places)
    ctx.clock.mark("retrieve")
    if not passages:
        return Declined(agent_rules.nothing_found(chosen.agent), "not_found")
    gap = coverage.not_covered(ctx.message, library.mentions)
    if gap is not None:
        # A trip, or a guide to another place, is no answer about a place no article mentions; an
        # article that holds anywhere (how to equalise, choosing a dive centre) still is, when it
        # is plainly about what was asked: "how cold is the fissure in Iceland" is about Iceland.
        if chosen.agent == "trip" or about_a_place(passages[0]):
            return Declined(coverage.reply(gap), "not_covered")
        asked = names.without_places(chosen.query)
        found = library.search(asked, library.embed(focus(asked)), shelf, relaxed=assessment.caution)
        passages = [p for p in found if not about_a_place(p)]
        if not library.plainly_answers(passages):
            return Declined(coverage.reply(gap), "not_covered")
    else:
        thing = coverage.thing_not_covered(ctx.message, library.mentions)
        if thing and not (
            places
            and _plainly_answered(
                library, chosen.query, thing=thing, shelf=shelf, places=places, assessment=assessment
            )
        ):
            return Declined(coverage.reply_thing(thing), "not_covered")
    context = library.sections(passages)
    sites = library.sites(ctx.profile.get("destination")) if chosen.agent == "trip" else []
    for passage in passages:
        yield "citation", response.source(passage)
    return Found(tuple(passages), tuple(context), tuple(sites))


def _plainly_answered(
    library: Library,
    query: str,
    *,
    thing: str,
    shelf: Filters,
    places: tuple[str, ...],
    assessment: Assessment,
) -> bool:
    """Whether the articles about `places` plainly answer `query` without `thing`, which no article
    mentions: only a place we cover can still answer the rest ("whale shark season in Cozumel, or
    is it more turtles"). Elsewhere the thing is what was asked ("what is snuba", "is a sidemount
    course worth it"), and articles answering the rest of the sentence answer another question."""
    asked = names.without(query, (thing,))
    vector = library.embed(focus(asked))
    return library.plainly_answers(
        library.search(asked, vector, shelf, relaxed=assessment.caution, places=places)
    )
