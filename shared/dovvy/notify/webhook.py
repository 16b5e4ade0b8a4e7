"""The dive shop's webhook: a JSON POST signed with HMAC-SHA256 over the exact body bytes."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING

from dovvy.notify import NotificationFailed, lead_payload

if TYPE_CHECKING:
    from dovvy.config import Secret
    from dovvy.db.leads import LeadRecord

SIGNATURE_HEADER = "X-DovvyBuddy-Signature"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookNotifier:
    name = "webhook"

    def __init__(self, url: str, secret: Secret, *, timeout: float = 5.0) -> None:
        self._url = url
        self._secret = secret
        self._timeout = timeout

    def send(self, lead: LeadRecord) -> None:
        import httpx

        body = json.dumps(lead_payload(lead), separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret.reveal().encode(), body),
            "X-DovvyBuddy-Event": "lead.created",
            # The receiver can drop duplicates from retries by this key.
            "Idempotency-Key": str(lead.id),
        }
        try:
            response = httpx.post(self._url, content=body, headers=headers, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise NotificationFailed(f"request failed ({type(exc).__name__})") from None
        if not response.is_success:
            raise NotificationFailed(f"HTTP {response.status_code}")
