"""The ingest function: S3 / EventBridge `handler` on Lambda, CloudEvent target `ingest` on Cloud Run."""

from dovvy.ingest_function import IngestHandlers, cloud_run_event_target

handlers = IngestHandlers()
handler = handlers.aws
ingest = cloud_run_event_target(handlers, "ingest")
