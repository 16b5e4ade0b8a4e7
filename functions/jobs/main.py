"""The jobs function: scheduled `handler` on Lambda, Pub/Sub CloudEvent target `jobs` on Cloud Run."""

from dovvy.event_targets import cloud_run_event_target
from dovvy.jobs import JobHandlers

handlers = JobHandlers()
handler = handlers.aws
jobs = cloud_run_event_target(handlers.gcp, "jobs")
