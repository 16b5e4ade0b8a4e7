# Alerts and a dashboard, with the thresholds of shared/dovvy/operations.json (the AWS module reads
# the same file). Each alert goes to the channels given as variables (alert_email,
# alert_webhook_url). Rates and percentiles are PromQL over Cloud Run's own metrics, and each needs
# `min_requests` in the window before it judges, so an idle system raises none.
#
# What Cloud Run's metrics do not see, the functions' JSON lines do: how long the oldest lead has
# waited for its notification (the retry job's line), the share of the day's model tokens spent and
# the tokens themselves (each charge's line), and each chat stage's time. Log-based metrics carry
# those.

locals {
  alerts   = module.contract.operations.alerts
  window   = "${local.alerts.window_minutes}m"
  released = module.contract.http_functions
  channels = concat(google_monitoring_notification_channel.email[*].id, google_monitoring_notification_channel.webhook[*].id)
  requests = { for fn in keys(local.released) : fn => "run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\",service_name=\"${var.name}-${fn}\"}" }
  enough   = { for fn, series in local.requests : fn => "sum(increase(${series}[${local.window}])) >= ${local.alerts.min_requests}" }
  stages   = ["session", "embed", "retrieve", "generate", "save"]
  line     = "jsonPayload.message=\"request done\""
}

resource "google_monitoring_notification_channel" "email" {
  count        = var.alert_email != "" ? 1 : 0
  display_name = "DovvyBuddy alerts (e-mail)"
  type         = "email"
  labels       = { email_address = var.alert_email }
  depends_on   = [google_project_service.used]
}

resource "google_monitoring_notification_channel" "webhook" {
  count        = var.alert_webhook_url != "" ? 1 : 0
  display_name = "DovvyBuddy alerts (webhook)"
  type         = "webhook_tokenauth"
  labels       = { url = var.alert_webhook_url }
  depends_on   = [google_project_service.used]
}

resource "google_monitoring_alert_policy" "error_rate" {
  for_each              = local.released
  display_name          = "${var.name}-${each.key}: error rate over ${local.alerts.error_rate * 100}%"
  combiner              = "OR"
  notification_channels = local.channels
  severity              = "ERROR"
  conditions {
    display_name = "5xx share of requests over ${local.window}"
    condition_prometheus_query_language {
      query               = "(sum(increase(${replace(local.requests[each.key], "}", ",response_code_class=\"5xx\"}")}[${local.window}])) / sum(increase(${local.requests[each.key]}[${local.window}])) > ${local.alerts.error_rate}) and on() (${local.enough[each.key]})"
      duration            = "0s"
      evaluation_interval = "60s"
    }
  }
  alert_strategy {
    auto_close = "1800s"
  }
  documentation {
    content = "A new revision in its canary: roll it back (`dovvy release gcp rollback --function ${each.key}`). Otherwise see docs/operations.md."
  }
  depends_on = [google_project_service.used]
}

resource "google_monitoring_alert_policy" "p95" {
  for_each              = local.released
  display_name          = "${var.name}-${each.key}: p95 latency over ${local.alerts.p95_ms[each.key]} ms"
  combiner              = "OR"
  notification_channels = local.channels
  severity              = "WARNING"
  conditions {
    display_name = "p95 request latency over ${local.window}"
    condition_prometheus_query_language {
      query               = "(histogram_quantile(0.95, sum by (le) (rate(run_googleapis_com:request_latencies_bucket{monitored_resource=\"cloud_run_revision\",service_name=\"${var.name}-${each.key}\"}[${local.window}]))) > ${local.alerts.p95_ms[each.key]}) and on() (${local.enough[each.key]})"
      duration            = "0s"
      evaluation_interval = "60s"
    }
  }
  alert_strategy {
    auto_close = "1800s"
  }
  depends_on = [google_project_service.used]
}

resource "google_monitoring_alert_policy" "db_connections" {
  display_name          = "${var.name}: database connections over ${local.alerts.db_connections_fraction * 100}% of ${local.sized.db_max_connections}"
  combiner              = "OR"
  notification_channels = local.channels
  severity              = "ERROR"
  conditions {
    display_name = "PostgreSQL backends"
    condition_threshold {
      filter          = "resource.type = \"cloudsql_database\" AND resource.labels.database_id = \"${var.project_id}:${google_sql_database_instance.main.name}\" AND metric.type = \"cloudsql.googleapis.com/database/postgresql/num_backends\""
      comparison      = "COMPARISON_GT"
      threshold_value = floor(local.alerts.db_connections_fraction * local.sized.db_max_connections)
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
  depends_on = [google_project_service.used]
}

# Eventarc retries a failed storage event for a day, then drops it: an ingest failure is the alert
# (the nearest thing to AWS's dead-letter queue), so a document is re-ingested before it is lost.
resource "google_monitoring_alert_policy" "ingest_failures" {
  display_name          = "${var.name}-ingest: storage events failing"
  combiner              = "OR"
  notification_channels = local.channels
  severity              = "ERROR"
  conditions {
    display_name = "ingest answered 5xx"
    condition_prometheus_query_language {
      # One service per event kind: NAME-ingest-finalized, -deleted, -archived (functions.tf).
      query               = "sum(increase(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\",service_name=~\"${var.name}-ingest-.*\",response_code_class=\"5xx\"}[${local.window}])) >= ${local.alerts.dead_letters}"
      duration            = "0s"
      evaluation_interval = "60s"
    }
  }
  documentation {
    content = "Re-ingest the document (docs/operations.md, 'Re-ingest')."
  }
  depends_on = [google_project_service.used]
}

resource "google_logging_metric" "lead_waiting" {
  name        = "${var.name}-lead-oldest-waiting-seconds"
  description = "How long the oldest lead has waited for its notification, from the retry job's line."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.name}-jobs\" AND jsonPayload.message=\"job done\" AND jsonPayload.job=\"retry-leads\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "s"
  }
  value_extractor = "EXTRACT(jsonPayload.oldest_waiting_s)"
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 2
      scale              = 60
    }
  }
}

resource "google_logging_metric" "budget_used" {
  name        = "${var.name}-model-budget-used"
  description = "Share of the day's hosted-model tokens spent, from each charge's line."
  filter      = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"model tokens charged\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "1"
  }
  value_extractor = "EXTRACT(jsonPayload.budget_used_fraction)"
  bucket_options {
    linear_buckets {
      num_finite_buckets = 20
      width              = 0.05
      offset             = 0
    }
  }
}

resource "google_logging_metric" "tokens" {
  name        = "${var.name}-model-tokens"
  description = "Hosted-model tokens charged per answer."
  filter      = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"model tokens charged\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "1"
  }
  value_extractor = "EXTRACT(jsonPayload.tokens)"
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 2
      scale              = 16
    }
  }
}

resource "google_logging_metric" "stage" {
  for_each    = toset(local.stages)
  name        = "${var.name}-chat-stage-${each.key}"
  description = "Milliseconds a chat turn spent in its ${each.key} stage."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.name}-chat\" AND ${local.line} AND jsonPayload.stages_ms.${each.key}>=0"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "ms"
  }
  value_extractor = "EXTRACT(jsonPayload.stages_ms.${each.key})"
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 24
      growth_factor      = 1.6
      scale              = 1
    }
  }
}

# Cloud Monitoring knows a new log-based metric only minutes after it is created, and an alert
# policy naming it before then is refused ("Cannot find metric(s)"; hashicorp/terraform-provider-google
# issue 11102). The wait runs beside the database's creation on a first apply.
resource "time_sleep" "log_metrics" {
  create_duration = "600s"
  triggers = {
    lead_waiting = google_logging_metric.lead_waiting.id
    budget_used  = google_logging_metric.budget_used.id
  }
}

# Alerts on the log-based metrics: the oldest lead's wait (the retry job runs every 15 minutes) and
# the share of the day's model tokens spent.
locals {
  log_metric_alerts = {
    leads-waiting = {
      title     = "a lead waits over ${local.alerts.lead_waiting_minutes} minutes for its notification"
      metric    = google_logging_metric.lead_waiting.name
      threshold = local.alerts.lead_waiting_minutes * 60
      period    = "900s"
      severity  = "ERROR"
      runbook   = "Replay the lead's notification (docs/operations.md, 'Replay failed leads')."
    }
    model-budget = {
      title     = "over ${local.alerts.model_budget_fraction * 100}% of today's model tokens spent"
      metric    = google_logging_metric.budget_used.name
      threshold = local.alerts.model_budget_fraction
      period    = "300s"
      severity  = "WARNING"
      runbook   = "Answers fall back to the offline composer when none are left; raise MODEL_TOKENS_PER_DAY or wait for midnight UTC."
    }
  }
}

resource "google_monitoring_alert_policy" "log_metric" {
  for_each              = local.log_metric_alerts
  display_name          = "${var.name}: ${each.value.title}"
  combiner              = "OR"
  notification_channels = local.channels
  severity              = each.value.severity
  conditions {
    display_name = each.key
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${each.value.metric}\""
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.threshold
      duration        = "0s"
      aggregations {
        alignment_period     = each.value.period
        per_series_aligner   = "ALIGN_PERCENTILE_99"
        cross_series_reducer = "REDUCE_MAX"
      }
    }
  }
  documentation {
    content = each.value.runbook
  }
  depends_on = [time_sleep.log_metrics]
}
