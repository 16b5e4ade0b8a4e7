"""Which object of a bucket changed, and how: what the edges make of a cloud's storage event and
`knowledge.storage.apply_change` acts on. On its own, light to import: the ingest function's entry
file parses events with it at cold start, before any article is read."""

from __future__ import annotations

import dataclasses
from typing import Literal


@dataclasses.dataclass(frozen=True)
class StorageChange:
    """Which object of a bucket changed, and how, whichever cloud's event said so (the edges parse
    the events: dovvy/storage_events.py)."""

    cloud: Literal["gcs", "s3"]
    bucket: str
    key: str
    # "archived": an old generation was archived; the article is gone only if no live one remains.
    action: Literal["upsert", "delete", "archived"]
