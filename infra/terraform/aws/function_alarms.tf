# Each function that answers requests is watched twice, by one definition: as a whole (the
# standing alerts), and on the version being released alone (the alarms CodeDeploy watches while
# that version takes its canary share, release.tf). Lambda reports an alias's invocations per
# executed version (dimensions FunctionName, Resource = "function:alias", ExecutedVersion), and our
# 5xx lines carry the version; each release alarm is moved to the version an apply publishes before
# its release starts. Each alarm judges a rate or a p95 only over `min_requests` invocations.

locals {
  watched = merge(
    { for fn in keys(local.released) : fn => {
      function = fn
      name     = "${var.name}-${fn}"
      about    = "${fn}: over ${local.alerts.window_minutes} minutes"
      lambda   = { FunctionName = aws_lambda_function.fn[fn].function_name }
      answered = { metric = "Errors5xx", dimensions = { Function = fn } }
      release  = false
    } },
    { for fn in keys(local.released) : "${fn}-release" => {
      function = fn
      name     = "${var.name}-${fn}-release"
      about    = "the version of ${fn} being released (CodeDeploy sends traffic back)"
      lambda = {
        FunctionName    = aws_lambda_function.fn[fn].function_name
        Resource        = "${aws_lambda_function.fn[fn].function_name}:live"
        ExecutedVersion = aws_lambda_function.fn[fn].version
      }
      answered = { metric = "Errors5xxByVersion", dimensions = { Function = fn, Version = aws_lambda_function.fn[fn].version } }
      release  = true
    } },
  )
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  for_each            = local.watched
  alarm_name          = "${each.value.name}-error-rate"
  alarm_description   = "More than ${local.alerts.error_rate * 100}% of requests answered with a 5xx or failed: ${each.value.about}."
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alerts.error_rate
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to
  ok_actions          = each.value.release ? [] : local.alarm_to

  metric_query {
    id          = "rate"
    expression  = "IF(calls >= ${local.alerts.min_requests}, (FILL(answered, 0) + FILL(crashed, 0)) / calls, 0)"
    label       = "error rate"
    return_data = true
  }
  dynamic "metric_query" {
    for_each = { calls = "Invocations", crashed = "Errors" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/Lambda"
        metric_name = metric_query.value
        dimensions  = each.value.lambda
        period      = local.window_s
        stat        = "Sum"
      }
    }
  }
  metric_query {
    id = "answered"
    metric {
      namespace   = local.namespace
      metric_name = each.value.answered.metric
      dimensions  = each.value.answered.dimensions
      period      = local.window_s
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "p95" {
  for_each            = local.watched
  alarm_name          = "${each.value.name}-p95"
  alarm_description   = "p95 duration over ${local.alerts.p95_ms[each.value.function]} ms: ${each.value.about}."
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alerts.p95_ms[each.value.function]
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_to
  ok_actions          = each.value.release ? [] : local.alarm_to

  metric_query {
    id          = "p95"
    expression  = "IF(calls >= ${local.alerts.min_requests}, duration, 0)"
    label       = "p95 duration (ms)"
    return_data = true
  }
  dynamic "metric_query" {
    for_each = { calls = ["Invocations", "Sum"], duration = ["Duration", "p95"] }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/Lambda"
        metric_name = metric_query.value[0]
        dimensions  = each.value.lambda
        period      = local.window_s
        stat        = metric_query.value[1]
      }
    }
  }
}
