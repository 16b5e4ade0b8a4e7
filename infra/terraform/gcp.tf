# Google Cloud: Cloud Run functions (2nd gen) behind API Gateway, Cloud SQL for PostgreSQL with
# pgvector on a private IP, Secret Manager, and a content bucket whose changes trigger ingestion.

locals {
  gcp           = var.enable_gcp ? 1 : 0
  gcp_functions = var.enable_gcp ? toset(["session", "lead", "chat", "ingest"]) : toset([])
  gcp_secrets   = var.enable_gcp ? toset(["database-url", "gemini-api-key", "groq-api-key", "lead-webhook-secret"]) : toset([])
  gcp_ingest_events = var.enable_gcp ? {
    finalized = "google.cloud.storage.object.v1.finalized"
    deleted   = "google.cloud.storage.object.v1.deleted"
    # The bucket is versioned: deleting an article archives its live generation instead.
    archived = "google.cloud.storage.object.v1.archived"
  } : {}
  # Variable name -> secret id: names only, no values.
  secret_env = {
    DATABASE_URL        = "database-url"        # checkov:skip=CKV_SECRET_6:a secret's name, not its value
    GEMINI_API_KEY      = "gemini-api-key"      # checkov:skip=CKV_SECRET_6:a secret's name, not its value
    GROQ_API_KEY        = "groq-api-key"        # checkov:skip=CKV_SECRET_6:a secret's name, not its value
    LEAD_WEBHOOK_SECRET = "lead-webhook-secret" # checkov:skip=CKV_SECRET_6:a secret's name, not its value
  }
}

resource "google_service_account" "functions" {
  count        = local.gcp
  account_id   = "${var.name}-functions"
  display_name = "DovvyBuddy functions"
}

resource "google_service_account" "gateway" {
  count        = local.gcp
  account_id   = "${var.name}-gateway"
  display_name = "DovvyBuddy API Gateway (invokes the functions)"
}

# --- Storage ------------------------------------------------------------------------------------

resource "google_storage_bucket" "content" {
  count                       = local.gcp
  name                        = "${var.gcp_project_id}-${var.name}-content"
  location                    = var.gcp_region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
}

resource "google_storage_bucket" "source" {
  count                       = local.gcp
  name                        = "${var.gcp_project_id}-${var.name}-function-source"
  location                    = var.gcp_region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
}

resource "google_storage_bucket_iam_member" "functions_read_content" {
  count  = local.gcp
  bucket = google_storage_bucket.content[0].name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.functions[0].email}"
}

data "archive_file" "gcp" {
  for_each    = local.gcp_functions
  type        = "zip"
  source_dir  = "${var.build_dir}/gcp/${each.key}"
  output_path = "${path.module}/.build/gcp-${each.key}.zip"
}

resource "google_storage_bucket_object" "source" {
  for_each = data.archive_file.gcp
  name     = "${each.key}-${each.value.output_md5}.zip"
  bucket   = google_storage_bucket.source[0].name
  source   = each.value.output_path
}

# --- Secrets ------------------------------------------------------------------------------------

resource "google_secret_manager_secret" "app" {
  for_each  = local.gcp_secrets
  secret_id = "${var.name}-${each.key}"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_member" "functions" {
  for_each  = google_secret_manager_secret.app
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.functions[0].email}"
}

# Provider keys and the webhook secret are added by hand (gcloud secrets versions add); the
# database URL is written here because Terraform creates the database and its password.
resource "google_secret_manager_secret_version" "database_url" {
  count       = local.gcp
  secret      = google_secret_manager_secret.app["database-url"].id
  secret_data = "postgresql://${google_sql_user.app[0].name}:${urlencode(random_password.gcp_db[0].result)}@${google_sql_database_instance.main[0].private_ip_address}:5432/${google_sql_database.app[0].name}?sslmode=require"
}

# --- Network and database -----------------------------------------------------------------------

resource "google_compute_global_address" "sql_private_range" {
  count         = local.gcp
  name          = "${var.name}-sql-range"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
  network       = var.gcp_network
}

resource "google_service_networking_connection" "sql" {
  count                   = local.gcp
  network                 = "projects/${var.gcp_project_id}/global/networks/${var.gcp_network}"
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.sql_private_range[0].name]
}

resource "google_vpc_access_connector" "functions" {
  count         = local.gcp
  name          = "${var.name}-connector"
  region        = var.gcp_region
  network       = var.gcp_network
  ip_cidr_range = var.gcp_connector_cidr
}

resource "google_sql_database_instance" "main" {
  # checkov:skip=CKV2_GCP_13:every statement's duration would flood the logs; statements over 500 ms are logged (log_min_duration_statement)
  count               = local.gcp
  name                = "${var.name}-postgres"
  database_version    = "POSTGRES_16"
  region              = var.gcp_region
  deletion_protection = true
  depends_on          = [google_service_networking_connection.sql]

  settings {
    tier              = var.gcp_db_tier
    availability_type = "REGIONAL"
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/${var.gcp_project_id}/global/networks/${var.gcp_network}"
      ssl_mode        = "ENCRYPTED_ONLY"
    }
    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "500"
    }
    # No diver's data in the database log (shared/dovvy/db/embedded.py QUIET_LOG_SETTINGS): terse
    # verbosity also drops the DETAIL line that carries a slow statement's parameters.
    database_flags {
      name  = "log_min_messages"
      value = "fatal"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "panic"
    }
    database_flags {
      name  = "log_error_verbosity"
      value = "terse"
    }

  }
}

resource "random_password" "gcp_db" {
  count   = local.gcp
  length  = 32
  special = false
}

resource "google_sql_database" "app" {
  count    = local.gcp
  name     = var.name
  instance = google_sql_database_instance.main[0].name
}

resource "google_sql_user" "app" {
  count    = local.gcp
  name     = var.name
  instance = google_sql_database_instance.main[0].name
  password = random_password.gcp_db[0].result
}

# --- Functions ----------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "http" {
  # checkov:skip=CKV_GCP_124:API Gateway reaches the functions over their public endpoint; invoking still needs IAM (run.invoker is granted to the gateway's account only)
  for_each = var.enable_gcp ? local.http_functions : {}
  name     = "${var.name}-${each.key}"
  location = var.gcp_region

  build_config {
    runtime     = "python311"
    entry_point = each.key
    source {
      storage_source {
        bucket = google_storage_bucket.source[0].name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = "${each.value.memory_mb}M"
    available_cpu                    = "1"
    timeout_seconds                  = each.value.timeout_s
    max_instance_count               = 20
    max_instance_request_concurrency = 8
    ingress_settings                 = "ALLOW_ALL"
    service_account_email            = google_service_account.functions[0].email
    vpc_connector                    = google_vpc_access_connector.functions[0].id
    vpc_connector_egress_settings    = "PRIVATE_RANGES_ONLY"
    # One pooled connection per concurrent request the instance may serve.
    environment_variables = merge(local.common_env, { DB_POOL_SIZE = "8", TRUSTED_PROXY_HOPS = tostring(var.gcp_trusted_proxy_hops) })

    dynamic "secret_environment_variables" {
      for_each = local.secret_env
      content {
        key        = secret_environment_variables.key
        project_id = var.gcp_project_id
        secret     = google_secret_manager_secret.app[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }
}

resource "google_cloudfunctions2_function" "ingest" {
  for_each = local.gcp_ingest_events
  name     = "${var.name}-ingest-${each.key}"
  location = var.gcp_region

  build_config {
    runtime     = "python311"
    entry_point = "ingest"
    source {
      storage_source {
        bucket = google_storage_bucket.source[0].name
        object = google_storage_bucket_object.source["ingest"].name
      }
    }
  }

  service_config {
    available_memory              = "1024M"
    timeout_seconds               = 300
    max_instance_count            = 5
    ingress_settings              = "ALLOW_INTERNAL_ONLY"
    service_account_email         = google_service_account.functions[0].email
    vpc_connector                 = google_vpc_access_connector.functions[0].id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"
    environment_variables         = merge(local.common_env, { DB_POOL_SIZE = "1" })

    dynamic "secret_environment_variables" {
      for_each = local.secret_env
      content {
        key        = secret_environment_variables.key
        project_id = var.gcp_project_id
        secret     = google_secret_manager_secret.app[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  event_trigger {
    trigger_region        = var.gcp_region
    event_type            = each.value
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.functions[0].email
    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.content[0].name
    }
  }

  depends_on = [google_project_iam_member.storage_publishes_events]
}

# Cloud Storage publishes its events through Pub/Sub; Eventarc delivers them to the function.
data "google_storage_project_service_account" "gcs" {
  count = local.gcp
}

resource "google_project_iam_member" "storage_publishes_events" {
  count   = local.gcp
  project = var.gcp_project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs[0].email_address}"
}

resource "google_project_iam_member" "functions_receive_events" {
  count   = local.gcp
  project = var.gcp_project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.functions[0].email}"
}

resource "google_cloud_run_service_iam_member" "ingest_invoker" {
  for_each = google_cloudfunctions2_function.ingest
  location = var.gcp_region
  service  = each.value.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.functions[0].email}"
}

resource "google_cloud_run_service_iam_member" "gateway_invoker" {
  for_each = google_cloudfunctions2_function.http
  location = var.gcp_region
  service  = each.value.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.gateway[0].email}"
}

# --- API Gateway --------------------------------------------------------------------------------

resource "google_api_gateway_api" "api" {
  count    = local.gcp
  provider = google-beta
  api_id   = "${var.name}-api"
}

resource "google_api_gateway_api_config" "api" {
  count                = local.gcp
  provider             = google-beta
  api                  = google_api_gateway_api.api[0].api_id
  api_config_id_prefix = "${var.name}-"

  openapi_documents {
    document {
      path = "gateway.yaml"
      contents = base64encode(templatefile("${path.module}/gcp-gateway.yaml.tftpl", {
        title    = "${var.name} API"
        routes   = merge(local.routes, { for route, fns in local.cors_preflight : route => fns[0] })
        backends = { for name, fn in google_cloudfunctions2_function.http : name => fn.service_config[0].uri }
      }))
    }
  }

  gateway_config {
    backend_config {
      google_service_account = google_service_account.gateway[0].email
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_api_gateway_gateway" "api" {
  count      = local.gcp
  provider   = google-beta
  gateway_id = "${var.name}-gateway"
  api_config = google_api_gateway_api_config.api[0].id
  region     = var.gcp_region
}
