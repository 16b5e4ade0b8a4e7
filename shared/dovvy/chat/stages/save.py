"""Save: the turn appended to the session (both messages, the profile's new facts, the state), and
the response the channel returns, with the state changes the client should merge."""

from __future__ import annotations

from typing import Any

from dovvy.chat import followups, response
from dovvy.chat.leads import suggest
from dovvy.chat.outcomes import Emergency
from dovvy.chat.stages.triage import Assessment
from dovvy.chat.turn import Reply, TurnContext
from dovvy.conversation import ConversationState
from dovvy.sessions import Sessions


def save(
    ctx: TurnContext,
    reply: Reply,
    *,
    assessment: Assessment,
    after: ConversationState,
    follow_up: followups.FollowUp | None,
    sessions: Sessions,
) -> dict[str, Any]:
    reference = ctx.client_state if ctx.client_state is not None else ctx.session.conversation_state
    extra: dict[str, Any] = {
        "safety": assessment.metadata(),
        **reply.notes,
        "state_updates": followups.changes(reference, after),
    }
    sessions.append(ctx.session.id, ctx.message, reply.text, ctx.profile_update, after)
    ctx.clock.mark("save")
    urgent = isinstance(reply.outcome, Emergency)
    return response.build(
        text=reply.text,
        outcome=reply.outcome,
        chosen=reply.chosen,
        session_id=ctx.session.id,
        sources=reply.sources,
        lead=None if urgent else suggest(ctx.message, reply.chosen.agent, ctx.profile),
        follow_up=follow_up.question if follow_up else None,
        latency_ms=ctx.clock.stages,
        created=ctx.created,
        extra=extra,
    )
