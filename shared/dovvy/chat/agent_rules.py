"""What differs between the agents: retrieval filters, follow-up questions, and the checks run on
an answer before it leaves (medical disclaimer, certification depth notes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dovvy import catalogue
from dovvy.db.destinations import DiveSite
from dovvy.knowledge.filters import Filters
from dovvy.passages import Passage

DISCLAIMER = (
    "_This is general information, not medical advice. For questions about your own health or "
    "fitness to dive, see a dive-medicine physician._"
)


DOC_TYPES = {
    "certification": ("certification",),
    "trip": ("destination", "dive_site", "general"),
    "safety": ("safety",),
    "general": ("skill", "general", "certification", "safety"),
}

HELP_TOPICS = (
    "certifications and courses, dive destinations and sites, dive safety and medicine, "
    "and dive skills and equipment"
)


def filters_for(agent: str) -> Filters:
    return Filters(doc_types=DOC_TYPES.get(agent, ()))


def depth_limit(profile: dict[str, Any]) -> int | None:
    level = profile.get("certification_level")
    return catalogue.depth_limit(level) if isinstance(level, str) else None


def site_lines(sites: Sequence[DiveSite], profile: dict[str, Any]) -> list[str]:
    limit = depth_limit(profile)
    lines = []
    for site in sites:
        fits = (
            ""
            if limit is None
            else (
                " (within your certification)"
                if site.max_depth_m <= limit
                else " (beyond your certification depth)"
            )
        )
        lines.append(
            f"{site.name}: {site.min_depth_m:g}-{site.max_depth_m:g} m, {site.difficulty}, "
            f"needs {site.min_certification}{fits}"
        )
    return lines


def certification_notes(answer: str, sites: Sequence[DiveSite], profile: dict[str, Any]) -> list[str]:
    """A note for every site the answer mentions that is deeper than the diver may go (or, when the
    diver's level is unknown, that needs more than Open Water)."""
    limit = depth_limit(profile)
    notes = []
    lowered = answer.lower()
    for site in sites:
        names = {site.name.lower(), site.name.split(" (")[0].lower()}
        if not any(name in lowered for name in names):
            continue
        too_deep = site.max_depth_m > (limit if limit is not None else 18)
        if too_deep:
            who = "your certification" if limit is not None else "an Open Water certification"
            notes.append(
                f"Note: {site.name.split(' (')[0]} reaches {site.max_depth_m:g} m, beyond {who} "
                f"({limit if limit is not None else 18} m); it needs {site.min_certification}."
            )
    return notes


def with_disclaimer(answer: str) -> str:
    return answer if DISCLAIMER in answer else f"{answer}\n\n{DISCLAIMER}"


def nothing_found(agent: str) -> str:
    return (
        "I couldn't find that in the DovvyBuddy knowledge base, so I'd rather not guess. "
        f"I can help with {HELP_TOPICS} — and for anything specific to a dive centre or country, "
        "check with your dive centre."
    )


def off_topic() -> str:
    return f"I'm DovvyBuddy, a scuba-diving assistant, so I can't help with that. Ask me about {HELP_TOPICS}."


def refusal() -> str:
    return f"I can't change how I work or share my instructions. I'm happy to help with {HELP_TOPICS}."


def fallback_answer(passages: Sequence[Passage]) -> str:
    """When every provider failed: still point the diver to what we found."""
    titles = []
    for passage in passages:
        label = f"{passage.title} — {passage.heading}" if passage.heading else passage.title
        if label not in titles:
            titles.append(label)
    listing = "\n".join(f"- {title}" for title in titles[:5])
    return (
        "I can't compose an answer right now, but these articles in the DovvyBuddy knowledge base "
        f"cover your question:\n{listing}"
    )
