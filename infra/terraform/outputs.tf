output "gcp_gateway_url" {
  description = "Base URL of the API on Google Cloud."
  value       = var.enable_gcp ? "https://${google_api_gateway_gateway.api[0].default_hostname}" : null
}

output "aws_api_url" {
  description = "Base URL of the API on AWS."
  value       = var.enable_aws ? aws_apigatewayv2_api.http[0].api_endpoint : null
}

output "content_buckets" {
  description = "Upload knowledge-base markdown here; changes are ingested automatically."
  value = {
    gcp = var.enable_gcp ? google_storage_bucket.content[0].name : null
    aws = var.enable_aws ? aws_s3_bucket.content[0].bucket : null
  }
}
