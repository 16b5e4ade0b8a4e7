# One dashboard: requests, errors, p50/p95 and cold starts per function, each chat stage's time,
# the database's connections, model tokens spent, leads created and delivered.

locals {
  lambda_names = { for fn in keys(local.released) : fn => aws_lambda_function.fn[fn].function_name }
  per_function = { for stat in ["Invocations", "Errors"] : stat => [
    for fn, name in local.lambda_names : ["AWS/Lambda", stat, "FunctionName", name, { stat = "Sum", label = fn }]
  ] }
  durations = concat(
    [for fn, name in local.lambda_names : ["AWS/Lambda", "Duration", "FunctionName", name, { stat = "p50", label = "${fn} p50" }]],
    [for fn, name in local.lambda_names : ["AWS/Lambda", "Duration", "FunctionName", name, { stat = "p95", label = "${fn} p95" }]],
  )
  log_sources = join(" | ", [for fn in keys(local.released) : "SOURCE '${aws_cloudwatch_log_group.fn[fn].name}'"])
  widgets = [
    { title = "Requests", metrics = local.per_function["Invocations"] },
    { title = "Failures (Lambda errors)", metrics = local.per_function["Errors"] },
    { title = "5xx answered", metrics = [for fn in keys(local.released) : [local.namespace, "Errors5xx", "Function", fn, { stat = "Sum", label = fn }]] },
    { title = "Duration p50 / p95 (ms)", metrics = local.durations },
    { title = "Database connections", metrics = [["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", aws_db_instance.main.identifier, { stat = "Maximum" }]] },
    { title = "Model tokens spent", metrics = [[local.namespace, "ModelTokens", { stat = "Sum" }], [local.namespace, "ModelBudgetUsed", { stat = "Maximum", yAxis = "right" }]] },
  ]
  queries = [
    { title = "Cold starts", query = "${local.log_sources} | filter message = 'request done' and cold_start = 1 | stats count(*) by service, bin(5m)" },
    { title = "Chat stages p95 (ms)", query = "SOURCE '${aws_cloudwatch_log_group.fn["chat"].name}' | filter message = 'request done' | stats pct(stages_ms.session, 95), pct(stages_ms.embed, 95), pct(stages_ms.retrieve, 95), pct(stages_ms.generate, 95), pct(stages_ms.save, 95), pct(latency_ms, 95) by bin(5m)" },
    { title = "Leads created", query = "SOURCE '${aws_cloudwatch_log_group.fn["lead"].name}' | filter message = 'request done' and status = 201 | stats count(*) by bin(1h)" },
    { title = "Lead notifications", query = "SOURCE '${aws_cloudwatch_log_group.fn["lead"].name}' | SOURCE '${aws_cloudwatch_log_group.fn["jobs"].name}' | filter message like /lead notification (sent|failed)/ | stats count(*) by message, bin(1h)" },
  ]
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = concat(
      [for i, w in local.widgets : {
        type       = "metric", x = (i % 2) * 12, y = floor(i / 2) * 6, width = 12, height = 6
        properties = { title = w.title, metrics = w.metrics, region = var.region, view = "timeSeries", period = 300 }
      }],
      [for i, q in local.queries : {
        type       = "log", x = (i % 2) * 12, y = 18 + floor(i / 2) * 6, width = 12, height = 6
        properties = { title = q.title, query = q.query, region = var.region, view = "table" }
      }],
    )
  })
}
