"""The ingest function's handlers: S3/EventBridge events on Lambda, CloudEvents on Cloud Run."""

from __future__ import annotations

from typing import Any

from dovvy.error_tracking import reporting
from dovvy.runtime import Runtime
from dovvy.storage_events import from_aws_event, from_cloud_event


class IngestHandlers:
    """Holds the runtime and readers a warm container reuses; nothing is opened until an event."""

    def __init__(self, runtime: Runtime | None = None, *, s3: Any = None, gcs: Any = None) -> None:
        self._runtime = runtime
        self._s3 = s3
        self._gcs = gcs

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = Runtime.for_function("ingest")
        return self._runtime

    @property
    def _confined(self) -> dict[str, Any]:
        settings = self.runtime.settings
        return {"bucket": settings.content_bucket, "prefix": settings.content_prefix}

    def _ingestor(self) -> Any:
        from dovvy.knowledge.ingest import Ingestor

        return Ingestor(self.runtime.pool, self.runtime.embedder)

    @reporting
    def aws(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        from dovvy.knowledge.storage import apply_change
        from dovvy.object_store import S3Reader

        if self._s3 is None:
            self._s3 = S3Reader()
        ingestor = self._ingestor()
        results = [
            {"key": change.key, "result": apply_change(change, self._s3, ingestor, **self._confined)}
            for change in from_aws_event(event)
        ]
        return {"results": results}

    @reporting
    def gcp(self, cloud_event: Any) -> str:
        from dovvy.knowledge.storage import apply_change
        from dovvy.object_store import GcsReader

        if self._gcs is None:
            self._gcs = GcsReader()
        change = from_cloud_event(cloud_event["type"], cloud_event.data)
        return apply_change(change, self._gcs, self._ingestor(), **self._confined)
