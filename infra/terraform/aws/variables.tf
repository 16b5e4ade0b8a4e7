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
