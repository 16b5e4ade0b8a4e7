"""The ingest function: S3 / EventBridge `handler` on Lambda, CloudEvent target `ingest` on Cloud Run."""

from dovvy.event_targets import cloud_run_event_target
from dovvy.ingest_function import IngestHandlers

handlers = IngestHandlers()
handler = handlers.aws
ingest = cloud_run_event_target(handlers.gcp, "ingest")
