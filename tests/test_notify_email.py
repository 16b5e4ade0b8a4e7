"""The SES e-mail notifier against moto's SES (the real boto3 client, no network)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import boto3
import pytest

from dovvy.config import Settings
from dovvy.db.leads import LeadRecord
from dovvy.notify import NotificationFailed, build_notifiers
from dovvy.notify.email import SesEmailNotifier

LEAD = LeadRecord(
    id=uuid.uuid4(),
    type="training",
    name="Ana Diaz",
    email="ana@example.com",
    phone="+34 600 000 000",
    request_details={"interested_certification": "Rescue Diver"},
    diver_profile={"certification_level": "Advanced Open Water"},
    session_id=None,
    idempotency_key=None,
    request_hash="h",
    created_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
    notification_status="pending",
    notification_attempts=0,
    notification_error=None,
    notified_at=None,
)


def sent_messages() -> list[Any]:
    from moto.backends import get_backend

    backend = get_backend("ses")["123456789012"]["eu-west-1"]
    return list(backend.sent_messages)


def test_lead_email_is_sent_with_reply_to_the_diver(aws: None) -> None:
    boto3.client("ses", region_name="eu-west-1").verify_email_identity(EmailAddress="leads@dovvy.example")
    notifier = SesEmailNotifier(
        sender="leads@dovvy.example", recipient="shop@example.com", region="eu-west-1"
    )
    notifier.send(LEAD)
    [message] = sent_messages()
    assert message.destinations["ToAddresses"] == ["shop@example.com"]
    assert "Rescue Diver" in message.body
    assert "ana@example.com" in message.body
    assert message.subject == "New training lead from DovvyBuddy"


def test_unverified_sender_is_a_recorded_failure(aws: None) -> None:
    notifier = SesEmailNotifier(
        sender="nobody@dovvy.example", recipient="shop@example.com", region="eu-west-1"
    )
    with pytest.raises(NotificationFailed, match=r"^SES ") as raised:
        notifier.send(LEAD)
    assert "ana@example.com" not in str(raised.value)


def test_notifiers_follow_settings() -> None:
    assert build_notifiers(Settings()) == []
    both = Settings.from_env(
        {
            "LEAD_WEBHOOK_URL": "https://shop.example/hook",
            "LEAD_WEBHOOK_SECRET": "s",
            "LEAD_EMAIL_TO": "shop@example.com",
            "LEAD_EMAIL_FROM": "leads@dovvy.example",
        }
    )
    assert [n.name for n in build_notifiers(both)] == ["webhook", "email"]
