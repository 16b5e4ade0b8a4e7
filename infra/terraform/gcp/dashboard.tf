# One dashboard: requests, errors, p50/p95 and cold starts per function, each chat stage's time, the
# database's connections, model tokens spent, leads created and delivered.

locals {
  # The ingest function is one service per event kind (NAME-ingest-finalized, ...).
  services = join("|", [for fn in concat(keys(local.released), ["ingest-.*", "jobs"]) : "${var.name}-${fn}"])
  logged   = "monitored_resource=\"cloud_run_revision\""
  revision = "monitored_resource=\"cloud_run_revision\",service_name=~\"${local.services}\""
  charts = concat(
    [
      { title = "Requests per second", query = "sum by (service_name) (rate(run_googleapis_com:request_count{${local.revision}}[5m]))" },
      { title = "5xx per second", query = "sum by (service_name) (rate(run_googleapis_com:request_count{${local.revision},response_code_class=\"5xx\"}[5m]))" },
      { title = "p50 latency (ms)", query = "histogram_quantile(0.5, sum by (service_name, le) (rate(run_googleapis_com:request_latencies_bucket{${local.revision}}[5m])))" },
      { title = "p95 latency (ms)", query = "histogram_quantile(0.95, sum by (service_name, le) (rate(run_googleapis_com:request_latencies_bucket{${local.revision}}[5m])))" },
      { title = "Cold starts (container starts)", query = "sum by (service_name) (increase(run_googleapis_com:container_startup_latencies_count{${local.revision}}[5m]))" },
      { title = "Database connections", query = "sum(cloudsql_googleapis_com:database_postgresql_num_backends{monitored_resource=\"cloudsql_database\",database_id=\"${var.project_id}:${google_sql_database_instance.main.name}\"})" },
      { title = "Model tokens charged", query = "sum(increase(logging_googleapis_com:user_${replace(google_logging_metric.tokens.name, "-", "_")}_sum{${local.logged}}[1h]))" },
      { title = "Leads created per hour", query = "sum(increase(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\",service_name=\"${var.name}-lead\",response_code=\"201\"}[1h]))" },
      { title = "Oldest lead waiting (s)", query = "max(histogram_quantile(0.99, sum by (le) (rate(logging_googleapis_com:user_${replace(google_logging_metric.lead_waiting.name, "-", "_")}_bucket{${local.logged}}[15m]))))" },
    ],
    [for stage in local.stages : {
      title = "Chat stage ${stage} p95 (ms)"
      query = "histogram_quantile(0.95, sum by (le) (rate(logging_googleapis_com:user_${replace(google_logging_metric.stage[stage].name, "-", "_")}_bucket{${local.logged}}[5m])))"
    }],
  )
}

resource "google_monitoring_dashboard" "main" {
  dashboard_json = jsonencode({
    displayName = "DovvyBuddy (${var.name})"
    mosaicLayout = {
      columns = 12
      tiles = [for i, chart in local.charts : {
        xPos = (i % 2) * 6, yPos = floor(i / 2) * 4, width = 6, height = 4
        widget = {
          title   = chart.title
          xyChart = { dataSets = [{ plotType = "LINE", timeSeriesQuery = { prometheusQuery = chart.query } }] }
        }
      }]
    }
  })
  depends_on = [google_project_service.used]
}
