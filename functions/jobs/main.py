"""The jobs function: scheduled `handler` on Lambda, Pub/Sub CloudEvent target `jobs` on Cloud Run."""

from dovvy.event_targets import cloud_run_event_target
from dovvy.jobs import JobHandlers
from dovvy.runtime import Runtime

# Built at import: a configuration that could not work stops the function starting.
handlers = JobHandlers(Runtime.for_function("jobs"))
handler = handlers.aws
jobs = cloud_run_event_target(handlers.gcp, "jobs")
