"""Check: the answer as it may be sent. A leaked system prompt is replaced by the refusal; a trip
answer gets a note for every site deeper than the diver's level allows; a safety answer its
disclaimer. Declined turns and emergencies pass as they are."""

from __future__ import annotations

from collections.abc import Sequence

from dovvy.chat import agent_rules, prompts
from dovvy.chat.outcomes import Declined, Emergency, Outcome
from dovvy.db.destinations import DiveSite
from dovvy.diver import DiverProfile


def checked(outcome: Outcome, agent: str, sites: Sequence[DiveSite], profile: DiverProfile) -> str:
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
