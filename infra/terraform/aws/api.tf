# The HTTP API: one route per operation in openapi.yaml, each to its function.

locals {
  # With an origin pattern the HTTP API's CORS (which takes no patterns) is off and the functions
  # answer the preflights themselves.
  api_routes = merge(module.contract.routes, var.cors_origin_regex == "" ? {} : module.contract.preflights)
}

resource "aws_apigatewayv2_api" "http" {
  name          = "${var.name}-api"
  protocol_type = "HTTP"
  # The same policy as shared/dovvy/web/cors.py.
  dynamic "cors_configuration" {
    for_each = var.cors_origin_regex == "" ? [1] : []
    content {
      allow_origins     = var.cors_origins
      allow_credentials = true
      allow_methods     = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"]
      allow_headers     = ["content-type", "idempotency-key", "x-request-id"]
      expose_headers    = ["x-request-id", "retry-after", "idempotent-replayed", "location"]
      max_age           = 600
    }
  }
}

resource "aws_apigatewayv2_integration" "fn" {
  for_each         = module.contract.http_functions
  api_id           = aws_apigatewayv2_api.http.id
  integration_type = "AWS_PROXY"
  # The alias, which CodeDeploy moves from version to version (release.tf).
  integration_uri        = aws_lambda_alias.live[each.key].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 29000
}

resource "aws_apigatewayv2_route" "route" {
  # checkov:skip=CKV_AWS_309:the web app's guests are anonymous by design (guest sessions); abuse is bounded by stage throttling and the functions' rate limits
  for_each  = local.api_routes
  api_id    = aws_apigatewayv2_api.http.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.fn[each.value].id}"
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${var.name}-api"
  retention_in_days = local.sized.log_days
  kms_key_id        = aws_kms_key.app.arn
}

# The $default stage keeps the stage name out of request paths, so the functions see /api/...
resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
  default_route_settings {
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId = "$context.requestId"
      route     = "$context.routeKey"
      status    = "$context.status"
      latencyMs = "$context.responseLatency"
    })
  }
}

resource "aws_lambda_permission" "api_invokes" {
  for_each      = module.contract.http_functions
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn[each.key].function_name
  qualifier     = aws_lambda_alias.live[each.key].name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}
