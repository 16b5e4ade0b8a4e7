"""E-mail to the dive shop through Amazon SES (v2 API); boto3 is imported only when used."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from dovvy.notify import NotificationFailed

if TYPE_CHECKING:
    from dovvy.db.leads import LeadRecord


class SesEmailNotifier:
    name = "email"

    def __init__(self, *, sender: str, recipient: str, region: str | None = None, client: Any = None) -> None:
        self._sender = sender
        self._recipient = recipient
        self._region = region
        self._client = client

    def _ses(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sesv2", region_name=self._region)
        return self._client

    def send(self, lead: LeadRecord) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        subject = f"New {lead.type} lead from DovvyBuddy"
        lines = [
            f"Type: {lead.type}",
            f"Name: {lead.name}",
            f"Email: {lead.email}",
            f"Phone: {lead.phone or '-'}",
            "",
            "Request:",
            json.dumps(lead.request_details, indent=2, ensure_ascii=False),
        ]
        if lead.diver_profile:
            lines += [
                "",
                "Diver profile:",
                json.dumps(lead.diver_profile, indent=2, ensure_ascii=False),
            ]
        lines += ["", f"Lead id: {lead.id}"]
        try:
            self._ses().send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [self._recipient]},
                ReplyToAddresses=[lead.email],
                Content={
                    "Simple": {
                        "Subject": {"Data": subject, "Charset": "UTF-8"},
                        "Body": {"Text": {"Data": "\n".join(lines), "Charset": "UTF-8"}},
                    }
                },
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "ClientError")
            raise NotificationFailed(f"SES {code}") from None
        except BotoCoreError as exc:
            raise NotificationFailed(f"SES {type(exc).__name__}") from None
