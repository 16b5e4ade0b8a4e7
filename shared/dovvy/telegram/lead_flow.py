"""The lead form in a chat: the fields the web form asks for, one question at a time, each answer
checked as the lead API checks it (`lead_fields`), then a summary to confirm. Pure: the flow is a
plain dict the bot stores with the chat, so it survives cold starts and retries."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from dovvy.lead_fields import LEAD_DATA
from dovvy.shape import Shape, ShapeError, checked


@dataclasses.dataclass(frozen=True)
class Question:
    field: str
    text: str
    optional: bool = False


QUESTIONS: dict[str, tuple[Question, ...]] = {
    "training": (
        Question(
            "interested_certification", "Which course are you interested in? (e.g. Open Water, Advanced)"
        ),
        Question("certification_level", "What certification do you hold now, if any?", optional=True),
        Question("preferred_location", "Where would you like to train?", optional=True),
        Question("name", "What name should the dive shop use?"),
        Question("email", "Which e-mail address should they reply to?"),
        Question("phone", "A phone number, if you would like a call?", optional=True),
    ),
    "trip": (
        Question("destination", "Where would you like to dive?"),
        Question("travel_dates", "When are you thinking of going?", optional=True),
        Question("group_size", "How many divers in your group?", optional=True),
        Question("name", "What name should the dive shop use?"),
        Question("email", "Which e-mail address should they reply to?"),
        Question("phone", "A phone number, if you would like a call?", optional=True),
    ),
}
LABELS = {
    "interested_certification": "Course",
    "certification_level": "Certification",
    "preferred_location": "Where",
    "destination": "Destination",
    "travel_dates": "Dates",
    "group_size": "Group size",
    "name": "Name",
    "email": "E-mail",
    "phone": "Phone",
}
SKIP = "skip"


@dataclasses.dataclass(frozen=True)
class Step:
    """What the bot says next: the flow as it now stands, and the text to send."""

    flow: dict[str, Any]
    text: str
    problem: bool = False  # the answer was refused; the same question stands


def start(kind: str, known: dict[str, Any] | None = None) -> Step:
    """A new lead of `kind` ("training" or "trip"); fields the profile already knows are offered as
    given (the summary shows them and Edit changes them)."""
    fields = LEAD_DATA[kind].fields
    data = {k: v for k, v in (known or {}).items() if k in fields and v not in (None, "")}
    flow = {"lead": {"type": kind, "data": data, "id": uuid.uuid4().hex}}
    return _next(flow)


def question(flow: dict[str, Any]) -> Question | None:
    lead = flow["lead"]
    return next((q for q in QUESTIONS[lead["type"]] if q.field not in lead["data"]), None)


def _next(flow: dict[str, Any]) -> Step:
    asked = question(flow)
    if asked is None:
        return Step(flow, summary(flow))
    hint = ' (or "skip")' if asked.optional else ""
    return Step(flow, f"{asked.text}{hint}")


def answer(flow: dict[str, Any], text: str) -> Step:
    """The answer to the question that stands: stored when it passes the lead API's check."""
    asked = question(flow)
    if asked is None:
        return Step(flow, summary(flow))
    lead = flow["lead"]
    value: Any = text.strip()
    if asked.optional and value.lower() == SKIP:
        value = None
    elif asked.field == "group_size":
        value = int(value) if value.isdigit() else value
    if value is not None:
        kind = LEAD_DATA[lead["type"]].fields[asked.field]
        try:
            value = checked(Shape({asked.field: kind}), {asked.field: value})[asked.field]
        except ShapeError as exc:
            return Step(
                flow, f"{LABELS[asked.field]} {exc.problems[0]['message']}. {asked.text}", problem=True
            )
    updated = {"lead": {**lead, "data": {**lead["data"], asked.field: value}}}
    return _next(updated)


def edit(flow: dict[str, Any]) -> Step:
    """Ask every question again."""
    lead = flow["lead"]
    return _next({"lead": {**lead, "data": {}}})


def summary(flow: dict[str, Any]) -> str:
    lead = flow["lead"]
    lines = [f"{LABELS[q.field]}: {lead['data'].get(q.field) or '-'}" for q in QUESTIONS[lead["type"]]]
    title = "Training request" if lead["type"] == "training" else "Trip request"
    return f"{title}\n" + "\n".join(lines) + "\n\nSend it to the dive shop?"


def form_data(flow: dict[str, Any]) -> dict[str, Any]:
    """Every field of the lead's type, None when not given (what the API hashes for replays)."""
    lead = flow["lead"]
    data: dict[str, Any] = dict.fromkeys(LEAD_DATA[lead["type"]].fields) | lead["data"]
    return data
