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

locals {
  charged = "{ $.message = \"model tokens charged\" }"
  # Numbers the lines carry, by filter: whose log group, which line, which field, which metric.
  line_values = merge(
    { leads-waiting = { function = "jobs", line = "{ $.message = \"job done\" && $.job = \"retry-leads\" }", field = "$.oldest_waiting_s", metric = "LeadOldestWaitingSeconds" } },
    { for fn in local.charging : "${fn}-model-budget" => { function = fn, line = local.charged, field = "$.budget_used_fraction", metric = "ModelBudgetUsed" } },
    { for fn in local.charging : "${fn}-model-tokens" => { function = fn, line = local.charged, field = "$.tokens", metric = "ModelTokens" } },
  )
}

resource "aws_cloudwatch_log_metric_filter" "values" {
  for_each       = local.line_values
  name           = "${var.name}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.fn[each.value.function].name
  pattern        = each.value.line
  metric_transformation {
    name      = each.value.metric
    namespace = local.namespace
    value     = each.value.field
  }
}
