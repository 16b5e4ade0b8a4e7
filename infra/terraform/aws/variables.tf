variable "name" {
  description = "Prefix for every resource name."
  type        = string
  default     = "dovvy"
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "build_dir" {
  description = "Where `make package` put the bundles (aws/<function>.zip)."
  type        = string
  default     = "../../../build"
}

variable "cors_origins" {
  description = "Origins of the web app allowed to call the API from a browser, with credentials (https://app.example.com: no path, no trailing slash, no *)."
  type        = list(string)
  default     = []
}

variable "cors_origin_regex" {
  description = "Optional pattern of further allowed origins, e.g. https://dovvybuddy-[a-z0-9-]+\\.vercel\\.app. The HTTP API's CORS takes no patterns, so with one set the functions answer preflights instead."
  type        = string
  default     = ""
}

variable "lead_email_to" {
  description = "Dive shop address that receives leads by e-mail through SES (empty: no e-mail)."
  type        = string
  default     = ""
}

variable "lead_email_from" {
  description = "SES-verified sender address for lead e-mails."
  type        = string
  default     = ""
}

variable "lead_webhook_url" {
  description = "Dive shop webhook that receives signed leads (empty: no webhook). Put the signing secret in Secrets Manager first (see README)."
  type        = string
  default     = ""
}

variable "llm_providers" {
  description = "Hosted model providers in the order tried (their keys go in Secrets Manager); the offline composer always follows."
  type        = list(string)
  default     = ["groq", "gemini"]
}

variable "vpc_cidr" {
  description = "Address range of the VPC this module creates (two private subnets, one public for the NAT gateway)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "profile" {
  description = "production (the defaults) or development (one zone, the smallest classes, short retention; see profile.tf)."
  type        = string
  default     = "production"
  validation {
    condition     = contains(["production", "development"], var.profile)
    error_message = "profile is production or development."
  }
}

variable "db_instance_class" {
  description = "RDS instance class (default: the profile's, db.t4g.small in production, db.t4g.micro in development)."
  type        = string
  default     = null
}

variable "db_multi_az" {
  description = "A standby in a second zone (default: the profile's, on in production)."
  type        = bool
  default     = null
}

variable "throttle_rate_limit" {
  description = "Steady requests per second allowed through the gateway."
  type        = number
  default     = 50
}

variable "throttle_burst_limit" {
  description = "Burst of requests allowed through the gateway."
  type        = number
  default     = 100
}

variable "run_migrations" {
  description = "Invoke the migrate function on apply (after the database and proxy exist). Turn off only where Lambda cannot run, e.g. a local emulator."
  type        = bool
  default     = true
}

variable "reserved_concurrency" {
  description = "Concurrency reserved for each HTTP function (migrate and jobs then get 1). 0 reserves none: AWS requires 100 executions to stay unreserved, so reserving needs an account limit above 100 + 4 x this + 2 (new accounts often have 10; ask for an increase first, see `dovvy deploy preflight aws`)."
  type        = number
  default     = 0
  validation {
    condition     = var.reserved_concurrency >= 0 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency is a whole number, 0 for none."
  }
}

variable "grant_url_invoke_with_cli" {
  description = "Grant the streaming function URL's lambda:InvokeFunction (through the URL only) with the AWS CLI on apply; the aws provider 5.x cannot. Turn off only where there is no AWS CLI, e.g. a local emulator."
  type        = bool
  default     = true
}

variable "alert_email" {
  description = "Where alerts go by e-mail (SNS asks the address to confirm once; empty: none)."
  type        = string
  default     = ""
}

variable "alert_webhook_url" {
  description = "An https endpoint that receives alerts as SNS notifications (it must confirm the subscription; empty: none)."
  type        = string
  default     = ""
  validation {
    condition     = var.alert_webhook_url == "" || startswith(var.alert_webhook_url, "https://")
    error_message = "alert_webhook_url is an https:// URL."
  }
}

variable "deployment_config" {
  description = "CodeDeploy configuration for releases, e.g. CodeDeployDefault.LambdaLinear10PercentEvery1Minute or CodeDeployDefault.LambdaAllAtOnce (empty: the canary in shared/dovvy/operations.json)."
  type        = string
  default     = ""
}

variable "start_releases" {
  description = "Start the staged shift of each new version on apply (`dovvy release aws start`). Turn off only where the project's CLI is not installed; then start it by hand (docs/operations.md)."
  type        = bool
  default     = true
}

variable "dovvy_command" {
  description = "The project's CLI, as the apply's shell finds it (make install puts it in .venv/bin)."
  type        = string
  default     = "../../../.venv/bin/dovvy"
}

variable "db_max_connections" {
  description = "The database's max_connections, for the connections alert (default: the instance class's, from RDS's formula, rounded down)."
  type        = number
  default     = null
}

variable "sentry_dsn" {
  description = "Sentry DSN: each function reports its unhandled errors there, without personal data (empty: no reports, and nothing of Sentry's is loaded)."
  type        = string
  default     = ""
}
