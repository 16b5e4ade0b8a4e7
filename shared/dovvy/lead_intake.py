"""Taking a lead, whatever channel it came through: the honeypot, the replay rules, storing it with
the diver's profile, and whether the shop is to be told. The HTTP endpoint (`api/leads.py`) only
reads the request and writes the response; a chat channel can hand a lead here the same way."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import uuid
from typing import Any

from dovvy.db import leads as repo
from dovvy.db import sessions as sessions_repo
from dovvy.db.pool import Connection, Pool
from dovvy.diver import stored_profile
from dovvy.errors import IdempotencyKeyReused

log = logging.getLogger(__name__)

# Fields that name the diver; the rest of a lead's data is its request.
_CONTACT = frozenset({"name", "email", "phone"})


@dataclasses.dataclass(frozen=True)
class LeadForm:
    type: str
    data: dict[str, Any]  # checked; every field of the type, None when not given
    session_id: uuid.UUID | None = None
    honeypot: str | None = None  # a field people never see: anything in it was typed by a bot
    idempotency_key: str | None = None
    # Who sent it (a hash of the client's address): without an Idempotency-Key, a replay must come
    # from the same sender, so nobody can learn of or suppress another person's lead.
    sender: str | None = None
    channel: str = "web"  # where it came from: "web" or "telegram"
    # What the channel adds for the shop (the Telegram user's id and username), stored with the
    # request's details.
    channel_details: dict[str, Any] = dataclasses.field(default_factory=dict)

    def fingerprint(self) -> str:
        """What a replay must match: with a key, the same body (a retrying client may have moved
        networks); without one, the same body from the same sender."""
        sender = None if self.idempotency_key is not None else self.sender
        body = {"type": self.type, "data": self.data, "session_id": str(self.session_id), "sender": sender}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Taken:
    lead_id: uuid.UUID
    created: bool  # False: a replay of a lead already taken
    notify: bool  # a new lead, and someone to tell


def take(pool: Pool, form: LeadForm, *, dedupe_minutes: int, notifying: bool) -> Taken:
    """Store the lead (or find the one it replays). Raises IdempotencyKeyReused when its key came
    with another body."""
    if form.honeypot:
        # Answered as if stored, so the bot learns nothing; nothing kept.
        log.info("lead honeypot filled; nothing stored")
        return Taken(uuid.uuid4(), created=True, notify=False)
    fingerprint = form.fingerprint()
    details = {k: v for k, v in form.data.items() if k not in _CONTACT and v is not None}
    details |= form.channel_details

    def store(conn: Connection) -> tuple[repo.LeadRecord, bool]:
        # Locked for reference: a session deleted at this moment either goes first (no link) or
        # waits for this lead, and its ON DELETE SET NULL then unlinks it; never a foreign-key error.
        session = (
            sessions_repo.get_live(conn, form.session_id, for_reference=True) if form.session_id else None
        )
        return repo.insert(
            conn,
            repo.NewLead(
                type=form.type,
                name=form.data["name"],
                email=form.data["email"],
                phone=form.data.get("phone"),
                request_details=details,
                # A copy within the profile's bounds, even of a row written before them.
                diver_profile=stored_profile(session.diver_profile) if session else None,
                session_id=session.id if session else None,
                idempotency_key=form.idempotency_key,
                request_hash=fingerprint,
                notification_status="pending" if notifying else "skipped",
                channel=form.channel,
            ),
            dedupe_minutes=dedupe_minutes,
        )

    lead, created = pool.run(store)
    if not created and form.idempotency_key is not None and lead.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    if not created:
        log.info(
            "lead request replayed",
            extra={"lead_id": str(lead.id), "keyed": form.idempotency_key is not None},
        )
    return Taken(lead.id, created=created, notify=created and notifying)
