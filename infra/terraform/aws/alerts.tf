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

resource "aws_cloudwatch_metric_alarm" "db_connections" {
  alarm_name          = "${var.name}-db-connections"
  alarm_description   = "The database holds more than ${local.alerts.db_connections_fraction * 100}% of its ${local.db_max_connections} connections."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = aws_db_instance.main.identifier }
  statistic           = "Maximum"
  period              = local.window_s
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = floor(local.alerts.db_connections_fraction * local.db_max_connections)
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to
  ok_actions          = local.alarm_to
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.name}-ingest-dead-letters"
  alarm_description   = "A storage event failed ingestion after Lambda's retries: re-ingest it (docs/operations.md)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.ingest_dead_letters.name }
  statistic           = "Maximum"
  period              = local.window_s
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = local.alerts.dead_letters
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to
  ok_actions          = local.alarm_to
}

resource "aws_cloudwatch_metric_alarm" "leads_waiting" {
  alarm_name          = "${var.name}-leads-waiting"
  alarm_description   = "A lead has waited more than ${local.alerts.lead_waiting_minutes} minutes for its notification to the dive shop: replay it (docs/operations.md)."
  namespace           = local.namespace
  metric_name         = "LeadOldestWaitingSeconds"
  statistic           = "Maximum"
  period              = 900 # the retry job runs every 15 minutes
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alerts.lead_waiting_minutes * 60
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to
  ok_actions          = local.alarm_to
}

resource "aws_cloudwatch_metric_alarm" "model_budget" {
  alarm_name          = "${var.name}-model-budget"
  alarm_description   = "More than ${local.alerts.model_budget_fraction * 100}% of today's hosted-model tokens are spent; answers fall back to the offline composer when none are left."
  namespace           = local.namespace
  metric_name         = "ModelBudgetUsed"
  statistic           = "Maximum"
  period              = local.window_s
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = local.alerts.model_budget_fraction
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to
}
