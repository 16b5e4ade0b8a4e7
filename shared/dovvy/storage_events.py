"""Storage events from either cloud, reduced to one StorageChange: which object changed, and how.

AWS events are read through Powertools' event data classes (S3 notifications and their EventBridge
form, imported only when one arrives: the Cloud Run bundle does not carry Powertools); Cloud Storage's
arrive as CloudEvents (Eventarc).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import unquote_plus

from dovvy.knowledge.storage_change import StorageChange

GCS_FINALIZED = "google.cloud.storage.object.v1.finalized"
GCS_DELETED = "google.cloud.storage.object.v1.deleted"
# On a versioned bucket, deleting (or overwriting) an object archives its live generation.
GCS_ARCHIVED = "google.cloud.storage.object.v1.archived"

Action = Literal["upsert", "delete", "archived"]


class UnsupportedEvent(ValueError):
    """The event is not a storage change we handle; the message says what it was."""


def from_cloud_event(event_type: str, data: Mapping[str, Any]) -> StorageChange:
    """A Cloud Storage CloudEvent; object names arrive as plain text."""
    actions: dict[str, Action] = {GCS_FINALIZED: "upsert", GCS_DELETED: "delete", GCS_ARCHIVED: "archived"}
    if event_type not in actions:
        raise UnsupportedEvent(f"unsupported CloudEvent type {event_type!r}")
    try:
        bucket, name = str(data["bucket"]), str(data["name"])
    except KeyError as exc:
        raise UnsupportedEvent(f"Cloud Storage event without {exc.args[0]!r}") from None
    return StorageChange("gcs", bucket, name, actions[event_type])


def from_aws_event(event: Mapping[str, Any]) -> list[StorageChange]:
    """S3 notifications, direct (Records) or through EventBridge (detail). Keys arrive URL-encoded,
    with '+' for spaces, in both."""
    from aws_lambda_powertools.utilities.data_classes import S3Event
    from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventBridgeNotificationEvent

    if "Records" in event:
        changes = []
        for record in S3Event(dict(event)).records:
            if record.event_source != "aws:s3":
                raise UnsupportedEvent(f"unsupported record source {record.event_source!r}")
            action = _action(record.event_name, created="ObjectCreated:", removed="ObjectRemoved:")
            if action is None:
                raise UnsupportedEvent(f"unsupported S3 event {record.event_name!r}")
            # Powertools leaves a record's key as S3 sent it (only its first-record helper decodes).
            key = unquote_plus(record.s3.get_object.key)
            changes.append(StorageChange("s3", record.s3.bucket.name, key, action))
        return changes
    if event.get("source") == "aws.s3":
        notification = S3EventBridgeNotificationEvent(dict(event))
        action = _action(notification.detail_type, created="Object Created", removed="Object Deleted")
        if action is None:
            raise UnsupportedEvent(f"unsupported EventBridge detail-type {notification.detail_type!r}")
        detail = notification.detail
        return [StorageChange("s3", detail.bucket.name, detail.object.key, action)]  # decoded by Powertools
    raise UnsupportedEvent("not an S3 or EventBridge event")


def _action(name: str, *, created: str, removed: str) -> Action | None:
    if name.startswith(created):
        return "upsert"
    if name.startswith(removed):
        return "delete"
    return None
