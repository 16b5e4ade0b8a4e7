"""Storage events from either cloud, reduced to one shape: which object changed, and how."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import unquote_plus

GCS_FINALIZED = "google.cloud.storage.object.v1.finalized"
GCS_DELETED = "google.cloud.storage.object.v1.deleted"
# On a versioned bucket, deleting (or overwriting) an object archives its live generation.
GCS_ARCHIVED = "google.cloud.storage.object.v1.archived"


class UnsupportedEvent(ValueError):
    """The event is not a storage change we handle; the message says what it was."""


@dataclasses.dataclass(frozen=True)
class StorageChange:
    cloud: Literal["gcs", "s3"]
    bucket: str
    key: str
    # "archived": an old generation was archived; the article is gone only if no live one remains.
    action: Literal["upsert", "delete", "archived"]


def from_cloud_event(event_type: str, data: Mapping[str, Any]) -> StorageChange:
    """A Cloud Storage CloudEvent (Eventarc); object names arrive as plain text."""
    actions: dict[str, Literal["upsert", "delete", "archived"]] = {
        GCS_FINALIZED: "upsert",
        GCS_DELETED: "delete",
        GCS_ARCHIVED: "archived",
    }
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
    if "Records" in event:
        changes = []
        for record in event["Records"]:
            if record.get("eventSource") != "aws:s3":
                raise UnsupportedEvent(f"unsupported record source {record.get('eventSource')!r}")
            name = str(record.get("eventName", ""))
            if name.startswith("ObjectCreated:"):
                action: Literal["upsert", "delete", "archived"] = "upsert"
            elif name.startswith("ObjectRemoved:"):
                action = "delete"
            else:
                raise UnsupportedEvent(f"unsupported S3 event {name!r}")
            s3 = record["s3"]
            changes.append(
                StorageChange("s3", s3["bucket"]["name"], unquote_plus(s3["object"]["key"]), action)
            )
        return changes
    if event.get("source") == "aws.s3":
        detail_type = event.get("detail-type")
        if detail_type == "Object Created":
            action = "upsert"
        elif detail_type == "Object Deleted":
            action = "delete"
        else:
            raise UnsupportedEvent(f"unsupported EventBridge detail-type {detail_type!r}")
        detail = event["detail"]
        return [StorageChange("s3", detail["bucket"]["name"], unquote_plus(detail["object"]["key"]), action)]
    raise UnsupportedEvent("not an S3 or EventBridge event")
