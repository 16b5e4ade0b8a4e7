"""The chat answer as the API returns it: message, session, agent, follow-up, sources, lead
suggestion and metadata (see ChatResponse in openapi.yaml)."""

from __future__ import annotations

import uuid
from typing import Any

from dovvy.chat.outcomes import Emergency, Fallback, Outcome, OverBudget, provider_of
from dovvy.chat.router import Route
from dovvy.passages import Passage


def source(passage: Passage) -> dict[str, Any]:
    cited: dict[str, Any] = {
        "path": passage.content_path,
        "title": passage.title,
        "heading": passage.heading or None,
        "score": round(passage.score, 5),
    }
    # Where the article's own facts come from, when its author listed them.
    references = passage.metadata.get("sources")
    if isinstance(references, list) and references:
        from dovvy.knowledge.frontmatter import is_citable

        cited["sources"] = [str(item) for item in references if is_citable(str(item))][:10]
    return cited


def emergency_source(path: str, title: str) -> dict[str, Any]:
    return {"path": path, "title": title, "heading": None, "score": 1.0}


def build(
    *,
    text: str,
    outcome: Outcome,
    chosen: Route,
    session_id: uuid.UUID,
    sources: list[dict[str, Any]],
    lead: dict[str, Any] | None,
    follow_up: str | None,
    latency_ms: dict[str, float],
    created: bool,
    extra: dict[str, Any],
) -> dict[str, Any]:
    provider, model = provider_of(outcome)
    urgent = isinstance(outcome, Emergency)
    agent = "emergency" if urgent else "system" if isinstance(outcome, OverBudget) else chosen.agent
    metadata: dict[str, Any] = {
        "citations": list(dict.fromkeys(s["path"] for s in sources)),
        "route": {"agent": agent, "reason": chosen.reason},
        "provider": provider,
        "model": model,
        "outcome": type(outcome).__name__.lower(),
        "latency_ms": latency_ms,
        "session_created": created,
    }
    if isinstance(outcome, Fallback):
        metadata["fallback_cause"] = outcome.cause
    metadata.update(extra)
    return {
        "message": text,
        "sessionId": str(session_id),
        "agentType": agent,
        "followUpQuestion": follow_up,
        "sources": sources,
        "leadSuggestion": lead,
        "metadata": metadata,
    }
