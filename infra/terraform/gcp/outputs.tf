output "api_url" {
  description = "Base URL of the API (give it to the web app as BACKEND_URL)."
  value       = "https://${google_api_gateway_gateway.api.default_hostname}"
}

output "content_bucket" {
  description = "Upload knowledge-base markdown here; changes are ingested automatically."
  value       = google_storage_bucket.content.name
}

output "secrets" {
  description = "Secrets to fill by hand: variable -> secret id."
  value = {
    GEMINI_API_KEY      = google_secret_manager_secret.app["gemini-api-key"].secret_id
    GROQ_API_KEY        = google_secret_manager_secret.app["groq-api-key"].secret_id
    LEAD_WEBHOOK_SECRET = google_secret_manager_secret.app["lead-webhook-secret"].secret_id
  }
}

output "migrate_function" {
  description = "Call it by hand with `gcloud functions call NAME --gen2 --region REGION`."
  value       = google_cloudfunctions2_function.migrate.name
}
