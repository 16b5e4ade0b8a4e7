# Secret Manager. The database URL is written here (Terraform makes the password); provider keys and
# the webhook secret are added by hand (README). Model keys are passed by name and read on first use,
# so a key not added yet turns its provider off instead of failing the deploy; the webhook secret is
# injected only when a webhook URL is set, and must hold a version before it is.

locals {
  # database-url: the app role's (every function but migrate); database-owner-url and
  # database-app-password: migrate's, which signs in as the owner and sets the app role's password.
  secrets    = toset(["database-url", "database-owner-url", "database-app-password", "gemini-api-key", "groq-api-key", "lead-webhook-secret", "telegram-bot-token", "telegram-webhook-secret"])
  model_keys = distinct(concat(["gemini-api-key"], [for p in var.llm_providers : "${p}-api-key"]))
  key_variables = {
    gemini-api-key          = "GEMINI_API_KEY"
    groq-api-key            = "GROQ_API_KEY"
    telegram-bot-token      = "TELEGRAM_BOT_TOKEN"      # checkov:skip=CKV_SECRET_6:a variable's name, not a value
    telegram-webhook-secret = "TELEGRAM_WEBHOOK_SECRET" # checkov:skip=CKV_SECRET_6:a variable's name, not a value
  }
  # Function -> the secrets it reads by name (at first use).
  secrets_by_name = {
    session = [], lead = [], jobs = [], migrate = []
    chat    = local.model_keys
    ingest  = ["gemini-api-key"]
    # Added by hand after the apply (docs/telegram.md); until then the webhook answers 401.
    telegram = concat(local.model_keys, ["telegram-bot-token", "telegram-webhook-secret"])
  }
  # Function -> variable -> secret injected by Cloud Run (only secrets that always hold a version).
  injected = {
    for fn in keys(local.functions) : fn => merge(
      fn == "migrate" ? { DATABASE_URL = "database-owner-url", DATABASE_APP_PASSWORD = "database-app-password" } : { DATABASE_URL = "database-url" },
      contains(["lead", "jobs", "telegram"], fn) && var.lead_webhook_url != "" ? { LEAD_WEBHOOK_SECRET = "lead-webhook-secret" } : {},
    )
  }
  accessors = merge([
    for fn in keys(local.functions) : {
      for secret in distinct(concat(local.secrets_by_name[fn], values(local.injected[fn]))) : "${fn}/${secret}" => { fn = fn, secret = secret }
    }
  ]...)
}

resource "google_secret_manager_secret" "app" {
  for_each  = local.secrets
  secret_id = "${var.name}-${each.key}"
  replication {
    auto {}
  }
  depends_on = [google_project_service.used]
}

resource "google_secret_manager_secret_iam_member" "reads" {
  for_each  = local.accessors
  secret_id = google_secret_manager_secret.app[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.fn[each.value.fn].member
}

locals {
  # The role the functions sign in as: rows only, no DDL (shared/dovvy/db/app_role.py). Users made
  # through Cloud SQL's API join cloudsqlsuperuser, so migrate creates this one in SQL instead.
  app_db_user = "${var.name}_app"
}

resource "random_password" "app_db" {
  length  = 40
  special = false
}

resource "google_secret_manager_secret_version" "database_app_password" {
  secret      = google_secret_manager_secret.app["database-app-password"].id
  secret_data = random_password.app_db.result
}

resource "google_secret_manager_secret_version" "database_owner_url" {
  secret = google_secret_manager_secret.app["database-owner-url"].id
  # checkov:skip=CKV_SECRET_6:an interpolated URL template; the password is random_password's, never in the file
  secret_data = "postgresql://${google_sql_user.app.name}:${urlencode(random_password.db.result)}@${google_sql_database_instance.main.private_ip_address}:5432/${google_sql_database.app.name}?sslmode=verify-ca"
}

resource "google_secret_manager_secret_version" "database_url" {
  secret = google_secret_manager_secret.app["database-url"].id
  # verify-ca, not verify-full: the instance's certificate is signed by its own CA and names no
  # address, so a name check of the private IP cannot pass (Cloud SQL docs, "Authorize with SSL/TLS
  # certificates"). The CA's certificate reaches the functions as DATABASE_CA_CERT (functions.tf).
  # checkov:skip=CKV_SECRET_6:an interpolated URL template; the password is random_password's, never in the file
  secret_data = "postgresql://${local.app_db_user}:${urlencode(random_password.app_db.result)}@${google_sql_database_instance.main.private_ip_address}:5432/${google_sql_database.app.name}?sslmode=verify-ca"
}
