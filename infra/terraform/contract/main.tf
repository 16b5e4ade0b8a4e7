# What both clouds deploy, in one place: the routes (generated from openapi.yaml), each function's
# size, the scheduled jobs and the environment every function shares. No provider: the AWS and GCP
# root modules call it, and tests evaluate it with `terraform console`.

variable "cors_origins" {
  description = "Origins of the web app allowed to call the API from a browser, with credentials."
  type        = list(string)
  validation {
    condition     = alltrue([for o in var.cors_origins : can(regex("^https?://[^/*?#\\s]+$", o))])
    error_message = "Each CORS origin is scheme://host[:port], with no path, trailing slash or wildcard (credentials are allowed, so * cannot be)."
  }
}

variable "cors_origin_regex" {
  description = "Optional pattern of further allowed origins (full match)."
  type        = string
}

variable "lead_email_to" {
  description = "Dive shop address that receives leads by e-mail (empty: no e-mail)."
  type        = string
}

variable "lead_email_from" {
  description = "Verified sender address for lead e-mails."
  type        = string
}

variable "lead_webhook_url" {
  description = "Dive shop webhook that receives signed leads (empty: no webhook)."
  type        = string
}

variable "sentry_dsn" {
  description = "Sentry project DSN for error reports (empty: none). A DSN only lets a client send events, so it is configuration, not a secret."
  type        = string
  default     = ""
}

variable "llm_providers" {
  description = "Hosted model providers in the order tried."
  type        = list(string)
  validation {
    condition     = alltrue([for p in var.llm_providers : contains(["groq", "gemini"], p)])
    error_message = "Model providers are groq and gemini."
  }
}

locals {
  contract = yamldecode(file("${path.module}/../../../openapi.yaml"))

  # How releases are staged and when alerts fire: one file that `dovvy release` reads too.
  operations_file = jsondecode(file("${path.module}/../../../shared/dovvy/operations.json"))
  operations      = { canary = local.operations_file.canary, alerts = local.operations_file.alerts }

  # "METHOD /path" -> function, from each path's `x-dovvy-function` in openapi.yaml, so the contract
  # and both gateways cannot drift apart (tests/test_infra.py also holds the local gateway to it).
  routes = merge([
    for path, item in local.contract.paths : {
      for method, operation in item : "${upper(method)} ${path}" => item["x-dovvy-function"]
      if contains(["get", "post", "put", "patch", "delete"], method)
    }
  ]...)

  # Browser preflights on every path, answered by the function that serves the path (from
  # CORS_ORIGINS / CORS_ORIGIN_REGEX).
  preflights = { for path in distinct([for route, fn in local.routes : split(" ", route)[1]]) :
    "OPTIONS ${path}" => [for route, fn in local.routes : fn if split(" ", route)[1] == path][0]
  }

  # The chat function stops its turn at CHAT_DEADLINE_SECONDS (25), under both gateways' limits.
  http_functions = {
    session = { memory_mb = 512, timeout_s = 15 }
    lead    = { memory_mb = 512, timeout_s = 20 }
    chat    = { memory_mb = 1024, timeout_s = 28 }
    # A Telegram update runs a chat turn: the same deadline and size as chat.
    telegram = { memory_mb = 1024, timeout_s = 28 }
  }

  # What the `jobs` function runs on a schedule, in unix cron (five fields, UTC): Cloud Scheduler
  # takes it as it is. Day-of-week, when given, is a name (MON), which both clouds read alike.
  schedules = {
    retry-leads    = { cron = "*/15 * * * *", description = "Resend lead notifications that failed" }
    purge-sessions = { cron = "17 3 * * *", description = "Delete expired sessions and rate counters" }
  }
  # EventBridge Scheduler's cron differs and moto accepts anything, so a wrong expression fails only
  # a real apply: six fields (a year last); exactly one of day-of-month and day-of-week is `?`
  # ("You can't specify the Day-of-month and Day-of-week fields in the same cron expression");
  # increments start from a value (0/15), not `*`. tests/cron.py parses both grammars.
  jobs = {
    for name, job in local.schedules : name => merge(job, {
      aws = format("cron(%s)", join(" ", [
        replace(split(" ", job.cron)[0], "/^\\*//", "0/"),
        replace(split(" ", job.cron)[1], "/^\\*//", "0/"),
        split(" ", job.cron)[4] == "*" ? split(" ", job.cron)[2] : "?",
        split(" ", job.cron)[3],
        split(" ", job.cron)[4] == "*" ? "?" : split(" ", job.cron)[4],
        "*",
      ]))
    })
  }

  # What every function is given, and what each adds (only chat calls the models, so only chat is
  # told which: a function told to use a provider must also be given its key, or it refuses to start).
  function_env = jsondecode(file("${path.module}/function_env.json"))
  # Likewise the dive shop's addresses go only to the functions that notify it, the ones given the
  # webhook's signing secret.
  env = merge(local.function_env.shared, {
    CORS_ORIGINS      = join(",", var.cors_origins)
    CORS_ORIGIN_REGEX = var.cors_origin_regex
  }, var.sentry_dsn == "" ? {} : { SENTRY_DSN = var.sentry_dsn })
  env_by_function = {
    for fn, extra in local.function_env.functions : fn => merge(
      local.env,
      extra,
      contains(local.function_env.model_functions, fn) ? { LLM_PROVIDERS = join(",", var.llm_providers) } : {},
      contains(local.function_env.notify_functions, fn) ? {
        LEAD_EMAIL_TO    = var.lead_email_to
        LEAD_EMAIL_FROM  = var.lead_email_from
        LEAD_WEBHOOK_URL = var.lead_webhook_url
      } : {},
    )
  }
}

output "routes" {
  description = "\"METHOD /path\" -> function name."
  value       = local.routes
}

output "preflights" {
  description = "\"OPTIONS /path\" -> the function serving that path."
  value       = local.preflights
}

output "http_functions" {
  description = "Memory and timeout of each HTTP function."
  value       = local.http_functions
}

output "jobs" {
  description = "Scheduled jobs: name -> unix cron (`cron`), EventBridge Scheduler expression (`aws`), description."
  value       = local.jobs
}

output "env" {
  description = "Function -> its environment, without the database and secrets."
  value       = local.env_by_function
}

output "operations" {
  description = "The canary (percent, watch_minutes, aws_deployment_config) and the alert thresholds both clouds use."
  value       = local.operations
}
