# Cloud SQL for PostgreSQL 18 (as the embedded server the tests run on) (pgvector) on a private IP in `var.network`, reached by the functions
# through a Serverless VPC Access connector. Cloud SQL has no RDS-style managed password: Terraform
# makes one and keeps it in Secret Manager only.

resource "google_compute_global_address" "sql_range" {
  name          = "${var.name}-sql-range"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
  network       = var.network
  depends_on    = [google_project_service.used]
}

resource "google_service_networking_connection" "sql" {
  network                 = "projects/${var.project_id}/global/networks/${var.network}"
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.sql_range.name]
}

resource "google_vpc_access_connector" "functions" {
  name          = "${var.name}-connector"
  region        = var.region
  network       = var.network
  ip_cidr_range = var.connector_cidr
  # The API refuses a connector with neither an instance nor a throughput range ("A Connector must
  # specify either max_throughput or max_instances"; gcloud fills one in, the provider does not).
  machine_type  = "e2-micro"
  min_instances = 2
  max_instances = 3
  depends_on    = [google_project_service.used]
}

locals {
  # Each HTTP instance pools up to `concurrency` connections; each event function instance one
  # (three ingest functions, one per event type, then jobs and migrate).
  ingest_max_instances = 5
  event_connections    = length(local.ingest_events) * local.ingest_max_instances + 1 + 1
  connections          = sum([for fn, n in local.sized.max_instances : n * local.sized.concurrency]) + local.event_connections
  # PostgreSQL keeps superuser_reserved_connections (3) from everyone else, and the app's user is
  # not a superuser; 5 more stay free for an operator's psql and a migration during a rollout.
  spare_connections = 3 + 5
}

resource "google_sql_database_instance" "main" {
  # No statement text in the database log: it would carry divers' messages and e-mails. Query
  # Insights (without client addresses) shows slow queries instead.
  # checkov:skip=CKV2_GCP_13:statement durations come from Query Insights, not the log
  # checkov:skip=CKV_GCP_110:pgAudit logs statements, and so divers' data
  # checkov:skip=CKV_GCP_111:statements in the log would carry divers' data
  # checkov:skip=CKV_GCP_109:errors quote the values that caused them; only fatal messages are logged
  # checkov:skip=CKV_GCP_108:log_hostname makes a reverse DNS lookup on every new connection; log_connections already logs the client address
  # checkov:skip=CKV_GCP_6:ssl_mode = ENCRYPTED_ONLY (require_ssl is gone from the provider's 6.x releases)
  name                = "${var.name}-postgres"
  database_version    = "POSTGRES_18"
  region              = var.region
  deletion_protection = local.sized.deletion_protection
  depends_on          = [google_service_networking_connection.sql]

  settings {
    # PostgreSQL 16 and later default to ENTERPRISE_PLUS, which takes only db-perf-optimized-N-*
    # tiers: a db-custom-* tier is refused at create time unless the edition is ENTERPRISE (Cloud SQL
    # docs, "Introduction to Cloud SQL editions"). tests/test_gcp_rules.py holds the pair together.
    edition           = var.db_edition
    tier              = local.sized.db_tier
    availability_type = local.sized.availability
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/${var.project_id}/global/networks/${var.network}"
      ssl_mode        = "ENCRYPTED_ONLY"
    }
    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
    database_flags {
      name  = "max_connections"
      value = tostring(local.sized.db_max_connections)
    }
    insights_config {
      query_insights_enabled  = true
      record_application_tags = false
      record_client_address   = false
    }
    # No diver's data in the database log (shared/dovvy/db/embedded.py QUIET_LOG_SETTINGS).
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
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
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
  }

  lifecycle {
    precondition {
      # Room for the functions at their instance limits, plus a few for maintenance and tools.
      condition     = local.connections <= local.sized.db_max_connections - local.spare_connections
      error_message = "The functions' instance limits allow ${local.connections} connections; db_max_connections (${local.sized.db_max_connections}) must exceed that by ${local.spare_connections} (3 reserved for superusers, 5 spare). Lower max_instances or concurrency, or raise db_max_connections with the tier."
    }
    precondition {
      condition     = var.db_edition == "ENTERPRISE_PLUS" ? startswith(local.sized.db_tier, "db-perf-optimized-") : !startswith(local.sized.db_tier, "db-perf-optimized-")
      error_message = "Cloud SQL's ENTERPRISE_PLUS edition takes only db-perf-optimized-N-* tiers, and ENTERPRISE takes every other tier: db_tier ${local.sized.db_tier} does not fit db_edition ${var.db_edition}."
    }
  }
}

resource "random_password" "db" {
  length  = 32
  special = false
}

resource "google_sql_database" "app" {
  name     = var.name
  instance = google_sql_database_instance.main.name
}

resource "google_sql_user" "app" {
  name     = var.name
  instance = google_sql_database_instance.main.name
  password = random_password.db.result
}
