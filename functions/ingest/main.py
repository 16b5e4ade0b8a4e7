"""The ingest function: S3 / EventBridge `handler` on Lambda, CloudEvent target `ingest` on Cloud Run."""

from dovvy.event_targets import cloud_run_event_target
from dovvy.ingest_function import IngestHandlers
from dovvy.runtime import Runtime

# Built at import: a configuration that could not work stops the function starting.
handlers = IngestHandlers(Runtime.for_function("ingest"))
handler = handlers.aws
ingest = cloud_run_event_target(handlers.gcp, "ingest")
