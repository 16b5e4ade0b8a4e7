"""How a chat turn ends. Each outcome carries what the response needs to say about it, so no later
code has to guess from a provider named "none"."""

from __future__ import annotations

import dataclasses

from dovvy.chat.tiers import SafetyCheck
from dovvy.passages import Passage


@dataclasses.dataclass(frozen=True)
class Answered:
    """A model (hosted or the offline composer) wrote the answer from the passages."""

    text: str
    provider: str
    model: str
    passages: tuple[Passage, ...]
    hosted: bool = True  # False: the offline composer wrote it


@dataclasses.dataclass(frozen=True)
class Declined:
    """Not answered from the knowledge base: off-topic, an attempt to change the rules, or nothing
    relevant found. `reason` is one of "off_topic", "injection", "not_found", "not_covered" (a place
    no article mentions), "unread_language" (written in a script no lexicon reads)."""

    text: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Fallback:
    """The models failed or the turn ran out of time: the offline answer from the same passages."""

    text: str
    cause: str
    passages: tuple[Passage, ...]


@dataclasses.dataclass(frozen=True)
class OverBudget:
    """Today's hosted-model budget (`scope`: "daily" or "session") is spent: the offline answer."""

    text: str
    scope: str
    passages: tuple[Passage, ...]


@dataclasses.dataclass(frozen=True)
class Emergency:
    """The safety check found an emergency: the protocol, no model involved."""

    text: str
    check: SafetyCheck


Outcome = Answered | Declined | Fallback | OverBudget | Emergency


def provider_of(outcome: Outcome) -> tuple[str, str]:
    """(provider, model) for the response metadata."""
    if isinstance(outcome, Answered):
        return outcome.provider, outcome.model
    if isinstance(outcome, Fallback):
        return "offline", "fallback"
    if isinstance(outcome, OverBudget):
        return "offline", f"budget: {outcome.scope}"
    if isinstance(outcome, Emergency):
        return "none", "emergency-protocol"
    return "none", f"declined: {outcome.reason}"
