# Cloud Run functions (2nd gen), each with its own service account.

locals {
  functions = merge(module.contract.http_functions, {
    ingest  = { memory_mb = 1024, timeout_s = 300 }
    jobs    = { memory_mb = 512, timeout_s = 300 }
    migrate = { memory_mb = 512, timeout_s = 300 }
  })
  ingest_events = {
    finalized = "google.cloud.storage.object.v1.finalized"
    deleted   = "google.cloud.storage.object.v1.deleted"
    # The bucket is versioned: deleting an article archives its live generation instead.
    archived = "google.cloud.storage.object.v1.archived"
  }
  # The database's CA certificate (public) lets every function verify the server it sends its
  # password to (sslmode=verify-ca in DATABASE_URL).
  env = { for fn, env in module.contract.env : fn => merge(env, {
    # The source's own identity: the same code reports as the same release.
    DOVVY_RELEASE      = substr(data.archive_file.source[fn].output_md5, 0, 12)
    TRUSTED_PROXY_HOPS = tostring(var.trusted_proxy_hops)
    DATABASE_CA_CERT   = google_sql_database_instance.main.server_ca_cert[0].cert
  }) }
  # Model keys by name, read on first use (a Secret Manager name is recognised as a reference).
  named_secrets = {
    for fn in keys(local.functions) : fn => {
      for secret in local.secrets_by_name[fn] : local.key_variables[secret] => google_secret_manager_secret.app[secret].name
    }
  }
}

resource "google_service_account" "fn" {
  for_each     = local.functions
  account_id   = "${var.name}-${each.key}"
  display_name = "DovvyBuddy ${each.key} function"
  depends_on   = [google_project_service.used]
}

# Builds run as a service account of ours: on projects created since mid-2024 the default Cloud
# Build account is the Compute Engine default one without the roles a build needs, and the first
# deploy fails with a build permission error (Cloud Run functions docs, "Configure a custom build
# service account"). It reads the uploaded source, writes the image and its logs.
resource "google_service_account" "build" {
  account_id   = "${var.name}-build"
  display_name = "DovvyBuddy function builds"
  depends_on   = [google_project_service.used]
}

resource "google_project_iam_member" "build" {
  for_each   = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectViewer"])
  project    = var.project_id
  role       = each.key
  member     = google_service_account.build.member
  depends_on = [google_project_service.used]
}

resource "google_service_account" "gateway" {
  account_id   = "${var.name}-gateway"
  display_name = "DovvyBuddy API Gateway (invokes the HTTP functions)"
  depends_on   = [google_project_service.used]
}

resource "google_cloudfunctions2_function" "http" {
  # checkov:skip=CKV_GCP_124:API Gateway reaches the functions over their public endpoint; invoking still needs IAM (run.invoker is granted to the gateway's account only)
  for_each = module.contract.http_functions
  name     = "${var.name}-${each.key}"
  location = var.region

  build_config {
    service_account = google_service_account.build.id
    runtime         = "python312"
    entry_point     = each.key
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    available_memory = "${each.value.memory_mb}M"
    available_cpu    = "1"
    timeout_seconds  = each.value.timeout_s
    # A new revision starts with no traffic once the service's traffic is pinned to a named
    # revision (terraform_data.pin_traffic below): the one serving keeps it until `dovvy release
    # gcp` gives the new one its canary share and then all or none of it (docs/operations.md).
    # Google reports true once the newest revision serves everything, so the plan after a
    # promotion shows this changing back to false; applying that moves no traffic but deploys one
    # more identical revision, which the next release finds serving nothing and may ignore.
    all_traffic_on_latest_revision   = false
    max_instance_count               = local.sized.max_instances[each.key]
    max_instance_request_concurrency = local.sized.concurrency
    ingress_settings                 = "ALLOW_ALL"
    service_account_email            = google_service_account.fn[each.key].email
    vpc_connector                    = google_vpc_access_connector.functions.id
    vpc_connector_egress_settings    = "PRIVATE_RANGES_ONLY"
    # One pooled connection per request the instance may serve at once.
    environment_variables = merge(local.env[each.key], local.named_secrets[each.key], {
      DB_POOL_SIZE = tostring(local.sized.concurrency)
    })

    dynamic "secret_environment_variables" {
      for_each = local.injected[each.key]
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.app[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [google_secret_manager_secret_version.database_url, google_secret_manager_secret_iam_member.reads, google_project_iam_member.build]
}

resource "google_cloudfunctions2_function" "ingest" {
  for_each = local.ingest_events
  name     = "${var.name}-ingest-${each.key}"
  location = var.region

  build_config {
    service_account = google_service_account.build.id
    runtime         = "python312"
    entry_point     = "ingest"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source["ingest"].name
      }
    }
  }

  service_config {
    available_memory              = "1024M"
    timeout_seconds               = 300
    max_instance_count            = local.ingest_max_instances
    ingress_settings              = "ALLOW_INTERNAL_ONLY"
    service_account_email         = google_service_account.fn["ingest"].email
    vpc_connector                 = google_vpc_access_connector.functions.id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"
    # Ingest handles the content bucket's events only (an event names its bucket; others are ignored).
    environment_variables = merge(local.env["ingest"], local.named_secrets["ingest"], {
      DB_POOL_SIZE   = "1"
      CONTENT_BUCKET = google_storage_bucket.content.name
    })

    secret_environment_variables {
      key        = "DATABASE_URL"
      project_id = var.project_id
      secret     = google_secret_manager_secret.app["database-url"].secret_id
      version    = "latest"
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = each.value
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.fn["ingest"].email
    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.content.name
    }
  }

  # Its secrets are read at start-up (DATABASE_URL is injected): a revision started before its grant
  # lands fails to deploy. Eventarc triggers need the service agent to be usable (below).
  depends_on = [
    google_project_iam_member.storage_publishes_events,
    google_secret_manager_secret_version.database_url,
    google_secret_manager_secret_iam_member.reads,
    google_project_iam_member.build,
    time_sleep.eventarc_agent,
  ]
}

resource "google_cloudfunctions2_function" "jobs" {
  name     = "${var.name}-jobs"
  location = var.region

  build_config {
    service_account = google_service_account.build.id
    runtime         = "python312"
    entry_point     = "jobs"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source["jobs"].name
      }
    }
  }

  service_config {
    available_memory              = "512M"
    timeout_seconds               = 300
    max_instance_count            = 1
    ingress_settings              = "ALLOW_INTERNAL_ONLY"
    service_account_email         = google_service_account.fn["jobs"].email
    vpc_connector                 = google_vpc_access_connector.functions.id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"
    environment_variables         = merge(local.env["jobs"], { DB_POOL_SIZE = "1" })

    dynamic "secret_environment_variables" {
      for_each = local.injected["jobs"]
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.app[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.jobs.id
    retry_policy          = "RETRY_POLICY_DO_NOT_RETRY" # the next run picks up what this one missed
    service_account_email = google_service_account.fn["jobs"].email
  }

  depends_on = [google_secret_manager_secret_version.database_url, google_secret_manager_secret_iam_member.reads, google_project_iam_member.build, time_sleep.eventarc_agent]
}

resource "google_cloudfunctions2_function" "migrate" {
  # checkov:skip=CKV_GCP_124:called once per deploy from the operator's machine with `gcloud functions call`; nobody but project owners may invoke it
  name     = "${var.name}-migrate"
  location = var.region

  build_config {
    service_account = google_service_account.build.id
    runtime         = "python312"
    entry_point     = "migrate"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source["migrate"].name
      }
    }
  }

  service_config {
    available_memory              = "512M"
    timeout_seconds               = 300
    max_instance_count            = 1
    ingress_settings              = "ALLOW_ALL"
    service_account_email         = google_service_account.fn["migrate"].email
    vpc_connector                 = google_vpc_access_connector.functions.id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"
    # Signs in as the owner (DATABASE_URL) and gives the app role its password (migrate_function.py).
    environment_variables = merge(local.env["migrate"], { DB_POOL_SIZE = "1", DATABASE_APP_USER = local.app_db_user })

    dynamic "secret_environment_variables" {
      for_each = local.injected["migrate"]
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.app[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_version.database_owner_url,
    google_secret_manager_secret_version.database_app_password,
    google_secret_manager_secret_iam_member.reads,
    google_project_iam_member.build,
  ]
}

# Migrations and reference data from inside the network, after every apply that changes the
# migrate bundle or the database URL (both steps are idempotent).
resource "terraform_data" "migrate" {
  count = var.run_migrations ? 1 : 0
  triggers_replace = [
    google_cloudfunctions2_function.migrate.service_config[0].uri,
    google_storage_bucket_object.source["migrate"].name,
    google_secret_manager_secret_version.database_owner_url.id,
    google_secret_manager_secret_version.database_app_password.id,
  ]
  provisioner "local-exec" {
    command = "gcloud functions call ${google_cloudfunctions2_function.migrate.name} --gen2 --region ${var.region} --project ${var.project_id}"
  }
}

# Eventarc's service agent appears when its API is enabled but takes minutes to become usable; a
# trigger created at once fails on a new project (Eventarc docs: "it can take several minutes for
# the service agent to be created and granted its role"). Ask for it, grant its role, then wait.
resource "google_project_service_identity" "eventarc" {
  provider   = google-beta
  service    = "eventarc.googleapis.com"
  depends_on = [google_project_service.used]
}

resource "google_project_iam_member" "eventarc_agent" {
  # checkov:skip=CKV_GCP_49:the role Eventarc's own Google-managed agent needs (Eventarc docs); no account of ours gets it
  project    = var.project_id
  role       = "roles/eventarc.serviceAgent"
  member     = "serviceAccount:${google_project_service_identity.eventarc.email}"
  depends_on = [google_project_service.used]
}

# The same wait covers the other grants a trigger is checked against when it is created: the
# functions' eventReceiver role and the storage agent's right to publish (IAM changes take minutes
# to propagate; "Permission eventarc.events.receiveEvent denied" otherwise).
resource "time_sleep" "eventarc_agent" {
  create_duration = "120s"
  depends_on = [
    google_project_iam_member.eventarc_agent,
    google_project_iam_member.storage_publishes_events,
    google_project_iam_member.receives_events,
  ]
}

# Cloud Storage publishes its events through Pub/Sub; Eventarc delivers them to the function.
data "google_storage_project_service_account" "gcs" {}

resource "google_project_iam_member" "storage_publishes_events" {
  project    = var.project_id
  role       = "roles/pubsub.publisher"
  member     = data.google_storage_project_service_account.gcs.member
  depends_on = [google_project_service.used]
}

resource "google_project_iam_member" "receives_events" {
  for_each   = toset(["ingest", "jobs"])
  project    = var.project_id
  role       = "roles/eventarc.eventReceiver"
  member     = google_service_account.fn[each.key].member
  depends_on = [google_project_service.used]
}

resource "google_cloud_run_service_iam_member" "ingest_invoker" {
  for_each = google_cloudfunctions2_function.ingest
  location = var.region
  service  = each.value.name
  role     = "roles/run.invoker"
  member   = google_service_account.fn["ingest"].member
}

resource "google_cloud_run_service_iam_member" "jobs_invoker" {
  location = var.region
  service  = google_cloudfunctions2_function.jobs.name
  role     = "roles/run.invoker"
  member   = google_service_account.fn["jobs"].member
}

resource "google_cloud_run_service_iam_member" "gateway_invoker" {
  for_each = google_cloudfunctions2_function.http
  location = var.region
  service  = each.value.name
  role     = "roles/run.invoker"
  member   = google_service_account.gateway.member
}

# A new service's traffic follows its latest revision, and `all_traffic_on_latest_revision = false`
# keeps whatever the service had: so the first deploy pins it to the revision it created (the
# provider's documentation: "you must manually pin the existing service to a specific revision").
# From then on a code change deploys a revision that serves nothing until it is released.
resource "terraform_data" "pin_traffic" {
  for_each         = var.pin_traffic ? module.contract.http_functions : {}
  triggers_replace = [google_cloudfunctions2_function.http[each.key].id]
  provisioner "local-exec" {
    command = "${var.dovvy_command} release gcp promote --function ${each.key} --project ${var.project_id} --region ${var.region} --name ${var.name}"
  }
}
