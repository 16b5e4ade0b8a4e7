"""Follow-up: the conversation state after the turn, and the one question it asks next (the
destination, the certification, whether someone is with the diver), recorded as asked."""

from __future__ import annotations

from dovvy.chat import followups
from dovvy.chat.outcomes import Declined, Emergency
from dovvy.chat.turn import Reply, TurnContext
from dovvy.conversation import ConversationState


def next_state(ctx: TurnContext, reply: Reply) -> tuple[ConversationState, followups.FollowUp | None]:
    outcome = reply.outcome
    agent = "emergency" if isinstance(outcome, Emergency) else reply.chosen.agent
    # Nothing found is still a diving question: the destination or certification may be what the
    # next attempt needs. Only a declined (off-topic, injected) message asks nothing.
    on_topic = not isinstance(outcome, Declined) or outcome.reason in ("not_found", "not_covered")
    message, profile = ctx.message, ctx.profile
    after = followups.next_state(ctx.state, agent=agent, answered=on_topic, message=message, profile=profile)
    follow_up = followups.choose(
        after,
        agent=agent,
        answered=on_topic,
        message=message,
        profile=profile,
        stored=ctx.session.conversation_state,
    )
    return followups.asked(after, follow_up), follow_up
