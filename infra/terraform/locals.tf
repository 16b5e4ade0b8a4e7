locals {
  http_functions = {
    session = { memory_mb = 512, timeout_s = 15 }
    lead    = { memory_mb = 512, timeout_s = 30 }
    # Under the HTTP API's 29 s integration limit (the turn itself stops at CHAT_DEADLINE_SECONDS, 25).
    chat = { memory_mb = 1024, timeout_s = 28 }
  }

  # "METHOD /path" -> function, generated from openapi.yaml (each path's `x-dovvy-function`), so
  # the contract and both clouds' gateways cannot drift apart; tests/test_infra.py also holds the
  # local gateway (shared/dovvy/gateway.py ROUTES) to it.
  contract = yamldecode(file("${path.module}/../../openapi.yaml"))
  routes = merge([
    for path, item in local.contract.paths : {
      for method, operation in item : "${upper(method)} ${path}" => item["x-dovvy-function"]
      if contains(["get", "post", "put", "patch", "delete"], method)
    }
  ]...)

  # Browser preflights (OPTIONS) on every path, sent to the function that serves the path, which
  # answers them from CORS_ORIGINS / CORS_ORIGIN_REGEX. GCP's gateway always routes them; AWS's HTTP
  # API answers them itself unless a pattern is set, which its CORS configuration cannot express.
  cors_preflight = { for route, fn in local.routes : "OPTIONS ${split(" ", route)[1]}" => fn... }

  common_env = {
    DOVVY_ENV            = "production"
    LOG_LEVEL            = "INFO"
    SESSION_EXPIRY_HOURS = "24"
    CORS_ORIGINS         = join(",", var.cors_origins)
    CORS_ORIGIN_REGEX    = var.cors_origin_regex
    LEAD_EMAIL_TO        = var.lead_email_to
    LEAD_EMAIL_FROM      = var.lead_email_from
    LEAD_WEBHOOK_URL     = var.lead_webhook_url
    EMBEDDING_PROVIDER   = "gemini"
    PROVIDER_MAX_RETRIES = "2"
  }
}
