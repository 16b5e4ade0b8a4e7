terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    # time_sleep: waits a first apply needs (the Eventarc service agent's propagation).
    time = {
      source  = "hashicorp/time"
      version = "~> 0.12"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
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

# The APIs this module uses, switched on before anything that needs them.
resource "google_project_service" "used" {
  for_each = toset([
    "apigateway.googleapis.com",
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    # Project IAM bindings (google_project_iam_member) go through Cloud Resource Manager, which a
    # new project does not have enabled.
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "eventarc.googleapis.com",
    "iam.googleapis.com",
    # Log-based metrics, alert policies, notification channels and the dashboard (monitoring.tf).
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicecontrol.googleapis.com",
    "servicemanagement.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
    "vpcaccess.googleapis.com",
  ])
  service            = each.key
  disable_on_destroy = false
}
