"""Taking a lead without HTTP, as another channel would: the rules live in dovvy.lead_intake."""

from __future__ import annotations

import pytest

from dovvy.errors import IdempotencyKeyReused
from dovvy.lead_intake import LeadForm, take
from dovvy.runtime import Runtime

DATA = {"name": "Ana", "email": "ana@example.com", "phone": None, "message": "Sipadan in May"}


def _count(runtime: Runtime) -> int:
    [[n]] = runtime.pool.run(lambda conn: conn.run("SELECT count(*) FROM leads"), transaction=False)
    return int(n)


def test_a_replay_needs_the_same_body_from_the_same_sender(runtime: Runtime) -> None:
    def submit(sender: str) -> tuple[str, bool]:
        form = LeadForm(type="trip", data=DATA, sender=sender)
        taken = take(runtime.pool, form, dedupe_minutes=10, notifying=True)
        return str(taken.lead_id), taken.created

    before = _count(runtime)
    first, created = submit("sender-a")
    again, replayed = submit("sender-a")
    other, other_created = submit("sender-b")
    assert (created, replayed, other_created) == (True, False, True)
    assert again == first
    assert other != first
    assert _count(runtime) == before + 2


def test_a_key_with_another_body_is_refused_and_a_honeypot_stores_nothing(runtime: Runtime) -> None:
    keyed = LeadForm(type="trip", data=DATA, idempotency_key="intake-1")
    assert take(runtime.pool, keyed, dedupe_minutes=10, notifying=False).notify is False
    changed = LeadForm(type="trip", data={**DATA, "message": "Komodo"}, idempotency_key="intake-1")
    with pytest.raises(IdempotencyKeyReused):
        take(runtime.pool, changed, dedupe_minutes=10, notifying=False)
    before = _count(runtime)
    bot = LeadForm(type="trip", data=DATA, honeypot=" ")
    assert take(runtime.pool, bot, dedupe_minutes=10, notifying=True).notify is False
    assert _count(runtime) == before
