output "api_url" {
  description = "Base URL of the API (give it to the web app as BACKEND_URL)."
  value       = aws_apigatewayv2_api.http.api_endpoint
}

output "chat_stream_url" {
  description = "POST /api/chat/stream here for server-sent events that arrive as they are written (the api_url route buffers them)."
  value       = "${trimsuffix(aws_lambda_function_url.chat_stream.function_url, "/")}/api/chat/stream"
}

output "content_bucket" {
  description = "Upload knowledge-base markdown here; changes are ingested automatically."
  value       = aws_s3_bucket.content.bucket
}

output "functions" {
  description = "Function names (for logs, manual invocation and rollback)."
  value       = { for name, fn in aws_lambda_function.fn : name => fn.function_name }
}

output "secrets" {
  description = "Secrets to fill by hand: variable -> secret name."
  value       = { for key, secret in aws_secretsmanager_secret.app : local.secret_variables[key] => secret.name }
}

output "database_proxy" {
  description = "Where the functions connect (RDS Proxy, IAM authentication)."
  value       = aws_db_proxy.main.endpoint
}

output "migration" {
  description = "What the migrate function reported on this apply."
  value       = var.run_migrations ? jsondecode(aws_lambda_invocation.migrate[0].result) : null
}
