# Alerts, with the thresholds of shared/dovvy/operations.json (the GCP module reads the same file).
# Each goes to one SNS topic that e-mails or calls a webhook (variables alert_email and
# alert_webhook_url). Every alarm treats missing data as fine and needs enough requests to judge a
# rate or a p95, so an idle system raises none.

locals {
  alerts    = local.operations.alerts
  window_s  = local.alerts.window_minutes * 60
  namespace = "DovvyBuddy"
  alarm_to  = [aws_sns_topic.alerts.arn]
  # The functions that charge the hosted-model budget.
  charging = ["chat", "chat-stream", "telegram"]
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = aws_kms_key.app.arn
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alert_email != "" ? 1 : 0
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_sns_topic_subscription" "webhook" {
  count     = var.alert_webhook_url != "" ? 1 : 0
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "https"
  endpoint  = var.alert_webhook_url
}

# Standing alerts on one metric each: the database's connections, ingestion's dead letters, the
# oldest lead's wait (its line, metrics.tf: the retry job runs every 15 minutes) and the share of the
# day's model tokens spent.
locals {
  single_metric_alarms = {
    db-connections = {
      about     = "The database holds more than ${local.alerts.db_connections_fraction * 100}% of its ${local.db_max_connections} connections."
      metric    = ["AWS/RDS", "DatabaseConnections"]
      where     = { DBInstanceIdentifier = aws_db_instance.main.identifier }
      period    = local.window_s
      above     = "GreaterThanThreshold"
      threshold = floor(local.alerts.db_connections_fraction * local.db_max_connections)
    }
    ingest-dead-letters = {
      about     = "A storage event failed ingestion after Lambda's retries: re-ingest it (docs/operations.md)."
      metric    = ["AWS/SQS", "ApproximateNumberOfMessagesVisible"]
      where     = { QueueName = aws_sqs_queue.ingest_dead_letters.name }
      period    = local.window_s
      above     = "GreaterThanOrEqualToThreshold"
      threshold = local.alerts.dead_letters
    }
    leads-waiting = {
      about     = "A lead has waited more than ${local.alerts.lead_waiting_minutes} minutes for its notification to the dive shop: replay it (docs/operations.md)."
      metric    = [local.namespace, "LeadOldestWaitingSeconds"]
      where     = {}
      period    = 900
      above     = "GreaterThanThreshold"
      threshold = local.alerts.lead_waiting_minutes * 60
    }
    model-budget = {
      about     = "More than ${local.alerts.model_budget_fraction * 100}% of today's hosted-model tokens are spent; answers fall back to the offline composer when none are left."
      metric    = [local.namespace, "ModelBudgetUsed"]
      where     = {}
      period    = local.window_s
      above     = "GreaterThanOrEqualToThreshold"
      threshold = local.alerts.model_budget_fraction
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "single_metric" {
  for_each            = local.single_metric_alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.about
  namespace           = each.value.metric[0]
  metric_name         = each.value.metric[1]
  dimensions          = each.value.where
  statistic           = "Maximum"
  period              = each.value.period
  evaluation_periods  = 1
  comparison_operator = each.value.above
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to
  # The budget refills at midnight: an "OK" then tells nobody anything.
  ok_actions = each.key == "model-budget" ? [] : local.alarm_to
}
