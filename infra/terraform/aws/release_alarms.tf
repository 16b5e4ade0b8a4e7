# The alarms CodeDeploy watches while a new version takes its canary share (release.tf), on that
# version alone: Lambda reports an alias's invocations per executed version (dimensions
# FunctionName, Resource = "function:alias", ExecutedVersion), and our 5xx lines carry the version.
# Each alarm is updated to the version an apply publishes before its release starts.

locals {
  live = { for fn in keys(local.released) : fn => {
    FunctionName    = aws_lambda_function.fn[fn].function_name
    Resource        = "${aws_lambda_function.fn[fn].function_name}:live"
    ExecutedVersion = aws_lambda_function.fn[fn].version
  } }
}

resource "aws_cloudwatch_metric_alarm" "canary_errors" {
  for_each            = local.released
  alarm_name          = "${var.name}-${each.key}-release-errors"
  alarm_description   = "The version being released answers more than ${local.alerts.error_rate * 100}% of its requests with an error: CodeDeploy sends traffic back."
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alerts.error_rate
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to

  metric_query {
    id          = "rate"
    expression  = "IF(calls >= ${local.alerts.min_requests}, (FILL(answered, 0) + FILL(crashed, 0)) / calls, 0)"
    label       = "error rate of the new version"
    return_data = true
  }
  metric_query {
    id = "calls"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = local.live[each.key]
      period      = local.window_s
      stat        = "Sum"
    }
  }
  metric_query {
    id = "crashed"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = local.live[each.key]
      period      = local.window_s
      stat        = "Sum"
    }
  }
  metric_query {
    id = "answered"
    metric {
      namespace   = local.namespace
      metric_name = "Errors5xxByVersion"
      dimensions  = { Function = each.key, Version = aws_lambda_function.fn[each.key].version }
      period      = local.window_s
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "canary_p95" {
  for_each            = local.released
  alarm_name          = "${var.name}-${each.key}-release-p95"
  alarm_description   = "The version being released takes more than ${local.alerts.p95_ms[each.key]} ms at p95: CodeDeploy sends traffic back."
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alerts.p95_ms[each.key]
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to

  metric_query {
    id          = "p95"
    expression  = "IF(calls >= ${local.alerts.min_requests}, duration, 0)"
    label       = "p95 duration of the new version (ms)"
    return_data = true
  }
  metric_query {
    id = "calls"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = local.live[each.key]
      period      = local.window_s
      stat        = "Sum"
    }
  }
  metric_query {
    id = "duration"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Duration"
      dimensions  = local.live[each.key]
      period      = local.window_s
      stat        = "p95"
    }
  }
}
