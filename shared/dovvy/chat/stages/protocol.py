"""Protocol: an emergency's answer, at once and with no model: the protocol for its kind with the
numbers for the place, and the articles it comes from."""

from __future__ import annotations

from collections.abc import Generator

from dovvy.chat import emergency, response
from dovvy.chat.outcomes import Emergency
from dovvy.chat.router import Route
from dovvy.chat.stages.triage import Assessment
from dovvy.chat.turn import Event, Reply, TurnContext, tokens


def respond(ctx: TurnContext, assessment: Assessment) -> Generator[Event, None, Reply]:
    safety = assessment.safety
    outcome = Emergency(emergency.reply(safety, assessment.contacts), safety)
    yield "route", {"agent": "emergency", "reason": safety.reason}
    sources = [response.emergency_source(path, title) for path, title in emergency.sources_for(safety)]
    for source in sources:
        yield "citation", source
    yield from tokens(outcome.text)
    chosen = Route("safety", safety.reason, 1.0, False, ctx.message, True)
    return Reply(outcome, chosen, outcome.text, sources)
