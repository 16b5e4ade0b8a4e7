"""Telling the dive shop about a new lead: a signed webhook and/or an e-mail, each optional.

Delivery never fails the request that created the lead and never loses it: every attempt is
recorded on the lead, and `dovvy leads retry` sends what is still owed.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from dovvy.config import Settings
    from dovvy.db.leads import LeadRecord
    from dovvy.db.pool import Pool

log = logging.getLogger(__name__)


class NotificationFailed(Exception):
    """A delivery attempt failed; the message is safe to store (no secrets, no personal data)."""


class LeadNotifier(Protocol):
    name: str

    def send(self, lead: LeadRecord) -> None: ...


def build_notifiers(settings: Settings) -> list[LeadNotifier]:
    notifiers: list[LeadNotifier] = []
    secret = settings.lead_webhook_secret
    if settings.lead_webhook_url and secret is not None and not secret.reveal().strip():
        log.warning("lead webhook off: LEAD_WEBHOOK_SECRET is empty")
    elif settings.lead_webhook_url and secret is not None:
        from dovvy.notify.webhook import WebhookNotifier

        notifiers.append(
            WebhookNotifier(
                settings.lead_webhook_url,
                secret,
                timeout=settings.notify_timeout_seconds,
            )
        )
    if settings.lead_email_to and settings.lead_email_from:
        from dovvy.notify.email import SesEmailNotifier

        notifiers.append(
            SesEmailNotifier(
                sender=settings.lead_email_from,
                recipient=settings.lead_email_to,
                region=settings.lead_email_region,
            )
        )
    return notifiers


def lead_payload(lead: LeadRecord) -> dict[str, Any]:
    return {
        "event": "lead.created",
        "lead": {
            "id": str(lead.id),
            "type": lead.type,
            "created_at": lead.created_at.isoformat(),
            "name": lead.name,
            "email": lead.email,
            "phone": lead.phone,
            "request_details": lead.request_details,
            "diver_profile": lead.diver_profile,
            "session_id": str(lead.session_id) if lead.session_id else None,
        },
    }


def deliver(pool: Pool, notifiers: list[LeadNotifier], lead_id: uuid.UUID) -> str | None:
    """Send one lead through every notifier and record the outcome. Returns the error, if any.

    The row stays locked while sending so a concurrent `leads retry` cannot send it twice.
    """
    from dovvy.db import leads as repo

    def attempt(conn: Any) -> str | None:
        lead = repo.lock_unnotified(conn, lead_id)
        if lead is None:
            return None
        errors = []
        for notifier in notifiers:
            try:
                notifier.send(lead)
            except NotificationFailed as exc:
                errors.append(f"{notifier.name}: {exc}")
        error = "; ".join(errors) or None
        repo.record_notification(conn, lead_id, error=error)
        if error:
            log.warning("lead notification failed", extra={"lead_id": str(lead_id), "error": error})
        else:
            log.info("lead notification sent", extra={"lead_id": str(lead_id)})
        return error

    return pool.run(attempt)


def retry_pending(pool: Pool, notifiers: list[LeadNotifier], *, max_attempts: int) -> tuple[int, int]:
    """Retry every lead still owed a notification. Returns (sent, failed)."""
    from dovvy.db import leads as repo

    pending = pool.run(lambda conn: repo.pending_notifications(conn, max_attempts=max_attempts))
    sent = failed = 0
    for lead in pending:
        if deliver(pool, notifiers, lead.id) is None:
            sent += 1
        else:
            failed += 1
    return sent, failed
