terraform {
  required_version = ">= 1.6"

  # Only the AWS provider: this module initialises offline from a provider mirror, and nothing in
  # it needs another (passwords are RDS-managed, bundles are built by `make package`).
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { app = var.name }
  }
}

module "contract" {
  source            = "../contract"
  cors_origins      = var.cors_origins
  cors_origin_regex = var.cors_origin_regex
  lead_email_to     = var.lead_email_to
  lead_email_from   = var.lead_email_from
  lead_webhook_url  = var.lead_webhook_url
  llm_providers     = var.llm_providers
  sentry_dsn        = var.sentry_dsn
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}
