# AWS: Lambda functions behind an HTTP API, RDS for PostgreSQL (pgvector), Secrets Manager, and a
# content bucket whose object events invoke the ingest function.

locals {
  aws = var.enable_aws ? 1 : 0
  aws_functions = var.enable_aws ? merge(local.http_functions, {
    ingest  = { memory_mb = 1024, timeout_s = 300 }
    migrate = { memory_mb = 512, timeout_s = 300 }
  }) : {}
  aws_secrets = var.enable_aws ? toset(["database-url", "gemini-api-key", "groq-api-key", "lead-webhook-secret"]) : toset([])
  aws_routes = !var.enable_aws ? {} : merge(
    local.routes,
    var.cors_origin_regex == "" ? {} : { for route, fns in local.cors_preflight : route => fns[0] },
  )
}

data "aws_caller_identity" "current" {
  count = local.aws
}

# --- Storage ------------------------------------------------------------------------------------

resource "aws_s3_bucket" "content" {
  # checkov:skip=CKV_AWS_18:the bucket holds the published knowledge base; object-level CloudTrail data events are the audit trail
  # checkov:skip=CKV_AWS_144:the content is rebuilt from the repository; cross-region replication adds nothing
  count  = local.aws
  bucket = "${var.name}-content-${data.aws_caller_identity.current[0].account_id}"
}

resource "aws_s3_bucket_versioning" "content" {
  count  = local.aws
  bucket = aws_s3_bucket.content[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "content" {
  count  = local.aws
  bucket = aws_s3_bucket.content[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "content" {
  count  = local.aws
  bucket = aws_s3_bucket.content[0].id
  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_public_access_block" "content" {
  count                   = local.aws
  bucket                  = aws_s3_bucket.content[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_lambda_permission" "s3_invokes_ingest" {
  count          = local.aws
  statement_id   = "AllowS3Invoke"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.fn["ingest"].function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.content[0].arn
  source_account = data.aws_caller_identity.current[0].account_id
}

resource "aws_s3_bucket_notification" "content" {
  count  = local.aws
  bucket = aws_s3_bucket.content[0].id
  lambda_function {
    lambda_function_arn = aws_lambda_function.fn["ingest"].arn
    events              = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
    filter_suffix       = ".md"
  }
  depends_on = [aws_lambda_permission.s3_invokes_ingest]
}

# --- Secrets ------------------------------------------------------------------------------------

data "aws_iam_policy_document" "kms" {
  count = local.aws
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current[0].account_id}:root"]
    }
  }
}

resource "aws_kms_key" "app" {
  count               = local.aws
  description         = "DovvyBuddy secrets and function environment"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms[0].json
}

resource "aws_secretsmanager_secret" "app" {
  # checkov:skip=CKV2_AWS_57:provider API keys cannot be rotated automatically; rotate them by hand (see infra/terraform/README.md)
  for_each                = local.aws_secrets
  name                    = "${var.name}/${each.key}"
  kms_key_id              = aws_kms_key.app[0].arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_url" {
  count         = local.aws
  secret_id     = aws_secretsmanager_secret.app["database-url"].id
  secret_string = "postgresql://${aws_db_instance.main[0].username}:${urlencode(random_password.aws_db[0].result)}@${aws_db_instance.main[0].address}:5432/${aws_db_instance.main[0].db_name}?sslmode=require"
}

# --- Database -----------------------------------------------------------------------------------

resource "random_password" "aws_db" {
  count   = local.aws
  length  = 32
  special = false
}

resource "aws_db_subnet_group" "main" {
  count      = local.aws
  name       = "${var.name}-db"
  subnet_ids = var.aws_subnet_ids
}

resource "aws_security_group" "functions" {
  count       = local.aws
  name        = "${var.name}-functions"
  description = "DovvyBuddy Lambda functions"
  vpc_id      = var.aws_vpc_id
  egress {
    description = "Database, provider APIs (through NAT) and AWS endpoints"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "database" {
  count       = local.aws
  name        = "${var.name}-database"
  description = "DovvyBuddy PostgreSQL, reachable from the functions only"
  vpc_id      = var.aws_vpc_id
  ingress {
    description     = "PostgreSQL from the functions"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.functions[0].id]
  }
}

resource "aws_db_parameter_group" "main" {
  count  = local.aws
  name   = "${var.name}-postgres16"
  family = "postgres16"
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  # No diver's data in the database log: no statements or values on error, no DETAIL lines,
  # no bind parameters in slow-statement lines (shared/dovvy/db/embedded.py QUIET_LOG_SETTINGS).
  parameter {
    name  = "log_min_messages"
    value = "fatal"
  }
  parameter {
    name  = "log_min_error_statement"
    value = "panic"
  }
  parameter {
    name  = "log_error_verbosity"
    value = "terse"
  }
  parameter {
    name  = "log_parameter_max_length"
    value = "0"
  }
  parameter {
    name  = "log_parameter_max_length_on_error"
    value = "0"
  }
}

resource "aws_db_instance" "main" {
  count                               = local.aws
  parameter_group_name                = aws_db_parameter_group.main[0].name
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  identifier                          = "${var.name}-postgres"
  engine                              = "postgres"
  engine_version                      = "16"
  instance_class                      = var.aws_db_instance_class
  allocated_storage                   = 20
  max_allocated_storage               = 200
  db_name                             = var.name
  username                            = var.name
  password                            = random_password.aws_db[0].result
  db_subnet_group_name                = aws_db_subnet_group.main[0].name
  vpc_security_group_ids              = [aws_security_group.database[0].id]
  storage_encrypted                   = true
  multi_az                            = true
  backup_retention_period             = 7
  deletion_protection                 = true
  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  copy_tags_to_snapshot               = true
  performance_insights_enabled        = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-postgres-final"
}

# --- Functions ----------------------------------------------------------------------------------

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "functions" {
  count              = local.aws
  name               = "${var.name}-functions"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy_attachment" "vpc_access" {
  count      = local.aws
  role       = aws_iam_role.functions[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

data "aws_iam_policy_document" "functions" {
  count = local.aws
  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [for secret in aws_secretsmanager_secret.app : secret.arn]
  }
  statement {
    sid = "DecryptSecrets"
    # GenerateDataKey: the dead-letter queue is encrypted with the same key.
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.app[0].arn]
  }
  statement {
    sid       = "ReadContent"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.content[0].arn}/*"]
  }
  statement {
    # Without it S3 answers 403 instead of 404 for an object deleted before the event was handled.
    sid       = "ListContent"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.content[0].arn]
  }
  statement {
    sid       = "IngestDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.ingest_dead_letters[0].arn]
  }
  statement {
    sid       = "SendLeadEmail"
    actions   = ["ses:SendEmail"]
    resources = ["arn:aws:ses:${var.aws_region}:${data.aws_caller_identity.current[0].account_id}:identity/*"]
  }
}

resource "aws_iam_role_policy" "functions" {
  count  = local.aws
  role   = aws_iam_role.functions[0].id
  policy = data.aws_iam_policy_document.functions[0].json
}

resource "aws_sqs_queue" "ingest_dead_letters" {
  count                     = local.aws
  name                      = "${var.name}-ingest-dead-letters"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.app[0].arn
}

resource "aws_lambda_function" "fn" {
  # checkov:skip=CKV_AWS_116:the HTTP functions are invoked synchronously and answer their callers; the ingest function (asynchronous) has a dead-letter queue below
  # checkov:skip=CKV_AWS_272:no code-signing profile yet; packages are built from the repository by `make package`
  for_each      = local.aws_functions
  function_name = "${var.name}-${each.key}"
  role          = aws_iam_role.functions[0].arn
  runtime       = "python3.11"
  handler       = "main.handler"
  # `make package` builds these zips reproducibly (fixed times, unchecked-hash .pyc): deployed as
  # they are, so an unchanged function keeps its hash and is not redeployed.
  filename                       = "${var.build_dir}/aws/${each.key}.zip"
  source_code_hash               = filebase64sha256("${var.build_dir}/aws/${each.key}.zip")
  memory_size                    = each.value.memory_mb
  timeout                        = each.value.timeout_s
  reserved_concurrent_executions = 50
  architectures                  = ["x86_64"]

  vpc_config {
    subnet_ids         = var.aws_subnet_ids
    security_group_ids = [aws_security_group.functions[0].id]
  }

  tracing_config {
    mode = "Active"
  }

  kms_key_arn = aws_kms_key.app[0].arn

  dynamic "dead_letter_config" {
    for_each = each.key == "ingest" ? [1] : []
    content {
      target_arn = aws_sqs_queue.ingest_dead_letters[0].arn
    }
  }

  environment {
    # Secret values are not placed here: each function reads the ARNs it needs on first use.
    variables = merge(local.common_env, {
      DB_POOL_SIZE        = "1"
      DATABASE_URL        = aws_secretsmanager_secret.app["database-url"].arn
      GEMINI_API_KEY      = aws_secretsmanager_secret.app["gemini-api-key"].arn
      GROQ_API_KEY        = aws_secretsmanager_secret.app["groq-api-key"].arn
      LEAD_WEBHOOK_SECRET = aws_secretsmanager_secret.app["lead-webhook-secret"].arn
      LEAD_EMAIL_REGION   = var.aws_region
    })
  }
}

# --- HTTP API -----------------------------------------------------------------------------------

resource "aws_apigatewayv2_api" "http" {
  count         = local.aws
  name          = "${var.name}-api"
  protocol_type = "HTTP"
  # The same policy as shared/dovvy/web/cors.py; with a pattern, the functions apply it instead.
  dynamic "cors_configuration" {
    for_each = var.cors_origin_regex == "" ? [1] : []
    content {
      allow_origins     = var.cors_origins
      allow_credentials = true
      allow_methods     = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"]
      allow_headers     = ["content-type", "idempotency-key", "x-request-id"]
      expose_headers    = ["x-request-id", "retry-after", "idempotent-replayed", "location"]
      max_age           = 600
    }
  }
}

resource "aws_apigatewayv2_integration" "fn" {
  for_each               = var.enable_aws ? local.http_functions : {}
  api_id                 = aws_apigatewayv2_api.http[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.fn[each.key].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 29000
}

resource "aws_apigatewayv2_route" "route" {
  # checkov:skip=CKV_AWS_309:the web app's guests are anonymous by design (guest sessions); abuse is bounded by stage throttling
  for_each  = local.aws_routes
  api_id    = aws_apigatewayv2_api.http[0].id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.fn[each.value].id}"
}

resource "aws_cloudwatch_log_group" "api" {
  count             = local.aws
  name              = "/aws/apigateway/${var.name}-api"
  retention_in_days = 30
}

# The $default stage keeps the stage name out of request paths, so the functions see /api/...
resource "aws_apigatewayv2_stage" "default" {
  count       = local.aws
  api_id      = aws_apigatewayv2_api.http[0].id
  name        = "$default"
  auto_deploy = true
  default_route_settings {
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api[0].arn
    format = jsonencode({
      requestId = "$context.requestId"
      route     = "$context.routeKey"
      status    = "$context.status"
      latencyMs = "$context.responseLatency"
    })
  }
}

resource "aws_lambda_permission" "api_invokes" {
  for_each      = var.enable_aws ? local.http_functions : {}
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http[0].execution_arn}/*/*"
}

# Migrations and reference data, applied from inside the VPC where the database is reachable:
# run on every apply (both steps are idempotent) and whenever the migrate bundle changes.
resource "aws_lambda_invocation" "migrate" {
  count         = local.aws
  function_name = aws_lambda_function.fn["migrate"].function_name
  input         = jsonencode({})
  triggers = {
    bundle = aws_lambda_function.fn["migrate"].source_code_hash
  }
  depends_on = [aws_db_instance.main]
}
