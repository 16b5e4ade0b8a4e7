"""Triage: the safety tier of the message (an emergency goes to the protocol stage), the emergency
contacts for the place it or the profile names, and what comes before any answer: the caution line,
and for a question in another language answered offline, a line in that language saying so."""

from __future__ import annotations

import dataclasses

from dovvy.catalogue import EmergencyContacts, contacts_for
from dovvy.chat import emergency
from dovvy.chat.escalation import escalate
from dovvy.chat.safety import check_turn
from dovvy.chat.tiers import SafetyCheck
from dovvy.chat.turn import TurnContext
from dovvy.config import Settings
from dovvy.providers.llm import FallbackChain


@dataclasses.dataclass(frozen=True)
class Assessment:
    safety: SafetyCheck
    contacts: EmergencyContacts
    prefix: str  # text sent before the answer (empty for most messages)

    @property
    def caution(self) -> bool:
        return self.safety.tier == "caution"

    def metadata(self) -> dict[str, str | None]:
        return {
            "tier": self.safety.tier,
            "category": self.safety.category,
            "reason": self.safety.reason,
            "language": self.safety.language,
        }


def _prefix(safety: SafetyCheck, contacts: EmergencyContacts, *, hosted: bool) -> str:
    # The offline notice is known before anything streams: every answer in a deployment without a
    # hosted model is written offline.
    caution = emergency.caution_line(contacts, safety.language) + "\n\n" if safety.tier == "caution" else ""
    notice = None if hosted else emergency.offline_notice(safety.language)
    return caution + f"_{notice}_\n\n" if notice else caution


def assess(ctx: TurnContext, llm: FallbackChain, settings: Settings) -> Assessment:
    said = [t.get("content") for t in ctx.session.conversation_history if t.get("role") == "user"]
    previous = str(said[-1]) if said and said[-1] else None
    safety = check_turn(ctx.message, previous)
    if safety.tier == "caution" and settings.llm_routing:
        # A hosted model may upgrade caution to emergency, never the other way.
        safety = escalate(safety, ctx.message, llm, timeout=settings.router_timeout_seconds)
    contacts = contacts_for(ctx.message, ctx.profile.get("destination"))
    return Assessment(safety, contacts, _prefix(safety, contacts, hosted=llm.hosted))
