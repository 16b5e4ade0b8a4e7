variable "project_id" {
  description = "Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region for functions, buckets and the database."
  type        = string
  default     = "europe-west1"
}

variable "name" {
  description = "Prefix for every resource name."
  type        = string
  default     = "dovvy"
}

variable "build_dir" {
  description = "Where `make package` put the sources (gcp/<function>/)."
  type        = string
  default     = "../../../build"
}

variable "cors_origins" {
  description = "Origins of the web app allowed to call the API from a browser, with credentials (https://app.example.com: no path, no trailing slash, no *)."
  type        = list(string)
  default     = []
}

variable "cors_origin_regex" {
  description = "Optional pattern of further allowed origins, e.g. https://dovvybuddy-[a-z0-9-]+\\.vercel\\.app."
  type        = string
  default     = ""
}

variable "lead_email_to" {
  description = "Not supported on GCP yet: lead e-mail goes through Amazon SES, which needs AWS credentials this module does not give the functions. Use lead_webhook_url."
  type        = string
  default     = ""
  validation {
    condition     = var.lead_email_to == ""
    error_message = "Lead e-mail is sent through Amazon SES, and the GCP functions have no AWS credentials or region: every e-mail would fail. Leave lead_email_to empty and set lead_webhook_url."
  }
}

variable "lead_email_from" {
  description = "Verified sender address for lead e-mails."
  type        = string
  default     = ""
}

variable "lead_webhook_url" {
  description = "Dive shop webhook that receives signed leads (empty: no webhook). Its signing secret must hold a version before this is set (README)."
  type        = string
  default     = ""
}

variable "llm_providers" {
  description = "Hosted model providers in the order tried; the offline composer always follows."
  type        = list(string)
  default     = ["groq", "gemini"]
}

variable "network" {
  description = "The VPC network the database and the functions' connector use."
  type        = string
  default     = "default"
}

variable "connector_cidr" {
  description = "An unused /28 in that network for the Serverless VPC Access connector."
  type        = string
  default     = "10.8.0.0/28"
}

variable "profile" {
  description = "production (the defaults) or development (one zone, shared-core database, fewer instances; see profile.tf)."
  type        = string
  default     = "production"
  validation {
    condition     = contains(["production", "development"], var.profile)
    error_message = "profile is production or development."
  }
}

variable "db_tier" {
  description = "Cloud SQL machine tier (default: the profile's): db-custom-CPUS-MB, db-f1-micro or db-g1-small with the ENTERPRISE edition, db-perf-optimized-N-CPUS with ENTERPRISE_PLUS."
  type        = string
  default     = null
}

variable "db_edition" {
  description = "Cloud SQL edition: ENTERPRISE (custom and shared-core tiers) or ENTERPRISE_PLUS (db-perf-optimized-N-* tiers only)."
  type        = string
  default     = "ENTERPRISE"
  validation {
    condition     = contains(["ENTERPRISE", "ENTERPRISE_PLUS"], var.db_edition)
    error_message = "db_edition is ENTERPRISE or ENTERPRISE_PLUS."
  }
}

variable "db_max_connections" {
  description = "max_connections set on the database (default: the profile's); the functions' instance limits must fit under it (checked at plan)."
  type        = number
  default     = null
}

variable "max_instances" {
  description = "Most instances of each HTTP function (default: the profile's). Each instance holds up to `concurrency` pooled connections."
  type        = map(number)
  default     = null
}

variable "concurrency" {
  description = "Requests one instance serves at once, and so its connection pool size (default: the profile's)."
  type        = number
  default     = null
}

variable "trusted_proxy_hops" {
  description = "Addresses our own proxies append to X-Forwarded-For (API Gateway, then Google's front end): the client is the entry this many from the right. Check it on the first deploy; rate limits key on it."
  type        = number
  default     = 2
}

variable "run_migrations" {
  description = "Call the migrate function after each apply that changes it (needs gcloud where Terraform runs)."
  type        = bool
  default     = true
}

variable "alert_email" {
  description = "Where alerts go by e-mail (empty: none)."
  type        = string
  default     = ""
}

variable "alert_webhook_url" {
  description = "An https endpoint that receives alerts (Cloud Monitoring's webhook with token authentication; empty: none)."
  type        = string
  default     = ""
  validation {
    condition     = var.alert_webhook_url == "" || startswith(var.alert_webhook_url, "https://")
    error_message = "alert_webhook_url is an https:// URL."
  }
}

variable "sentry_dsn" {
  description = "Sentry DSN: each function reports its unhandled errors there, without personal data (empty: no reports, and nothing of Sentry's is loaded)."
  type        = string
  default     = ""
}

variable "pin_traffic" {
  description = "Pin each HTTP function's traffic to its first revision on creation (`dovvy release gcp promote`), so later revisions are released in stages. Turn off only where the project's CLI is not installed; then run it by hand (docs/operations.md)."
  type        = bool
  default     = true
}

variable "dovvy_command" {
  description = "The project's CLI, as the apply's shell finds it (make install puts it in .venv/bin)."
  type        = string
  default     = "../../../.venv/bin/dovvy"
}
