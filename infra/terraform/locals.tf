locals {
  http_functions = {
    session = { memory_mb = 512, timeout_s = 15 }
    lead    = { memory_mb = 512, timeout_s = 30 }
    chat    = { memory_mb = 1024, timeout_s = 60 }
  }

  # Path prefix -> function: the same table as shared/dovvy/gateway.py ROUTES, and every path in
  # openapi.yaml must appear here (tests/test_infra.py holds the three together).
  routes = {
    "GET /health"                      = "session"
    "GET /ready"                       = "session"
    "POST /api/sessions"               = "session"
    "GET /api/sessions/{sessionId}"    = "session"
    "DELETE /api/sessions/{sessionId}" = "session"
    "POST /api/leads"                  = "lead"
    "POST /api/chat"                   = "chat"
    "POST /api/chat/stream"            = "chat"
  }

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
