# What Lambda's own metrics do not see, the functions' JSON lines do: a 5xx answered by the app (a
# handled failure is no Lambda error), how long the oldest lead has waited for its notification (the
# retry job's line) and the share of the day's model tokens spent (each charge's line). Metric
# filters turn those into metrics in the DovvyBuddy namespace, for the alerts and the dashboard.

# 5xx answers per function, and per function and version (a release's own), from the same lines.
resource "aws_cloudwatch_log_metric_filter" "errors" {
  for_each       = local.watched
  name           = "${each.value.name}-5xx"
  log_group_name = aws_cloudwatch_log_group.fn[each.value.function].name
  pattern        = "{ $.message = \"request done\" && $.status >= 500 }"
  metric_transformation {
    name       = each.value.answered.metric
    namespace  = local.namespace
    value      = "1"
    dimensions = each.value.release ? { Function = "$.service", Version = "$.version" } : { Function = "$.service" }
  }
}

resource "aws_cloudwatch_log_metric_filter" "leads_waiting" {
  name           = "${var.name}-leads-waiting"
  log_group_name = aws_cloudwatch_log_group.fn["jobs"].name
  pattern        = "{ $.message = \"job done\" && $.job = \"retry-leads\" }"
  metric_transformation {
    name      = "LeadOldestWaitingSeconds"
    namespace = local.namespace
    value     = "$.oldest_waiting_s"
  }
}

resource "aws_cloudwatch_log_metric_filter" "budget" {
  for_each       = toset(local.charging)
  name           = "${var.name}-${each.key}-model-budget"
  log_group_name = aws_cloudwatch_log_group.fn[each.key].name
  pattern        = "{ $.message = \"model tokens charged\" }"
  metric_transformation {
    name      = "ModelBudgetUsed"
    namespace = local.namespace
    value     = "$.budget_used_fraction"
  }
}

resource "aws_cloudwatch_log_metric_filter" "tokens" {
  for_each       = toset(local.charging)
  name           = "${var.name}-${each.key}-model-tokens"
  log_group_name = aws_cloudwatch_log_group.fn[each.key].name
  pattern        = "{ $.message = \"model tokens charged\" }"
  metric_transformation {
    name      = "ModelTokens"
    namespace = local.namespace
    value     = "$.tokens"
  }
}
