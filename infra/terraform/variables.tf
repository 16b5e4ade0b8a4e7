variable "name" {
  description = "Prefix for every resource name."
  type        = string
  default     = "dovvy"
}

variable "enable_gcp" {
  description = "Deploy to Google Cloud (Cloud Run functions, API Gateway, Cloud SQL)."
  type        = bool
  default     = false
}

variable "enable_aws" {
  description = "Deploy to AWS (Lambda, HTTP API, RDS)."
  type        = bool
  default     = false
}

variable "build_dir" {
  description = "Where `make package` put the bundles: aws/<function>.zip and gcp/<function>/."
  type        = string
  default     = "../../build"
}

variable "cors_origins" {
  description = "Origins of the web app allowed to call the API from a browser, with credentials (https://app.example.com: no path, no trailing slash, no *)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for o in var.cors_origins : can(regex("^https?://[^/*?#\\s]+$", o))])
    error_message = "Each CORS origin is scheme://host[:port], with no path, trailing slash or wildcard (credentials are allowed, so * cannot be)."
  }
}

variable "cors_origin_regex" {
  description = "Optional pattern of further allowed origins, e.g. https://dovvybuddy-[a-z0-9-]+\\.vercel\\.app for preview deployments. On AWS it moves CORS from the HTTP API (which takes no patterns) to the functions."
  type        = string
  default     = ""
}

variable "lead_email_to" {
  description = "Dive shop address that receives leads by e-mail (empty: no e-mail)."
  type        = string
  default     = ""
}

variable "lead_email_from" {
  description = "Verified sender address for lead e-mails."
  type        = string
  default     = ""
}

variable "lead_webhook_url" {
  description = "Dive shop webhook that receives signed leads (empty: no webhook)."
  type        = string
  default     = ""
}

# --- Google Cloud -------------------------------------------------------------------------------

variable "gcp_project_id" {
  description = "Google Cloud project."
  type        = string
  default     = ""
}

variable "gcp_region" {
  description = "Google Cloud region for functions, buckets and the database."
  type        = string
  default     = "europe-west1"
}

variable "gcp_db_tier" {
  description = "Cloud SQL machine tier."
  type        = string
  default     = "db-custom-1-3840"
}

# --- AWS ----------------------------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "aws_subnet_ids" {
  description = "Private subnets for the functions and the database (at least two zones)."
  type        = list(string)
  default     = []
}

variable "aws_vpc_id" {
  description = "VPC of those subnets."
  type        = string
  default     = ""
}

variable "aws_db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"
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

variable "gcp_trusted_proxy_hops" {
  description = "Addresses our own proxies append to X-Forwarded-For on GCP (API Gateway, then Google's front end for Cloud Run): the client is the entry this many from the right. Check it on the first deploy; rate limits key on it."
  type        = number
  default     = 2
}

variable "gcp_network" {
  description = "The VPC network the database and the functions' connector use."
  type        = string
  default     = "default"
}

variable "gcp_connector_cidr" {
  description = "An unused /28 in that network for the Serverless VPC Access connector."
  type        = string
  default     = "10.8.0.0/28"
}
