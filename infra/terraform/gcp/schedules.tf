# Cloud Scheduler publishes `{"job": NAME}` to a topic the jobs function listens on: lead
# notifications that failed are resent, expired sessions and rate counters deleted.

resource "google_pubsub_topic" "jobs" {
  # checkov:skip=CKV_GCP_83:its messages only name a job ({"job": "retry-leads"}); Google's encryption at rest is enough
  name       = "${var.name}-jobs"
  depends_on = [google_project_service.used]
}

resource "google_cloud_scheduler_job" "job" {
  for_each    = module.contract.jobs
  name        = "${var.name}-${each.key}"
  description = each.value.description
  schedule    = each.value.cron
  time_zone   = "Etc/UTC"
  region      = var.region
  pubsub_target {
    topic_name = google_pubsub_topic.jobs.id
    data       = base64encode(jsonencode({ job = each.key }))
  }
}
