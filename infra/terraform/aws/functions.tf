# The Lambda functions, each with its own role carrying only its own permissions.

locals {
  # The Lambda runtime's Python; scripts/package_functions.py builds for the same (PYTHON_VERSION).
  python_version = "3.12"
  functions = merge(module.contract.http_functions, {
    ingest  = { memory_mb = 1024, timeout_s = 300 }
    migrate = { memory_mb = 512, timeout_s = 300 }
    jobs    = { memory_mb = 512, timeout_s = 300 }
    # /api/chat/stream through a streaming function URL (stream.tf): the chat bundle, run by our
    # streaming runtime loop.
    chat-stream = module.contract.http_functions["chat"]
  })
  # The bundle and the configuration each function is built from (chat-stream is chat's).
  bundle_of = { for fn in keys(local.functions) : fn => fn == "chat-stream" ? "chat" : fn }

  notifies    = var.lead_webhook_url != "" ? ["lead-webhook-secret"] : []
  model_keys  = distinct(concat(["gemini-api-key"], [for p in var.llm_providers : "${p}-api-key"]))
  sends_email = var.lead_email_to != ""

  # The secrets each function reads (session and migrate: none; the database needs no secret).
  function_secrets = {
    session     = []
    lead        = local.notifies
    chat        = local.model_keys
    chat-stream = local.model_keys
    ingest      = ["gemini-api-key"]
    migrate     = []
    jobs        = local.notifies
    telegram    = concat(local.model_keys, local.notifies, ["telegram-bot-token", "telegram-webhook-secret"])
  }

  function_statements = {
    for fn, secrets in local.function_secrets : fn => concat(
      [
        # What AWSLambdaVPCAccessExecutionRole grants, with logging narrowed to the function's own group.
        { sid = "WriteItsLogs", actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["${aws_cloudwatch_log_group.fn[fn].arn}:*"] },
        { sid = "AttachToTheVpc", actions = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], resources = ["*"] },
        { sid = "ConnectToTheDatabase", actions = ["rds-db:connect"], resources = [local.proxy_user_arn[fn]] },
        # Environment variables and secrets are encrypted with the app's key.
        { sid = "DecryptWithTheAppKey", actions = ["kms:Decrypt"], resources = [aws_kms_key.app.arn] },
        # Active tracing: CreateFunction fails unless the role may send traces (what
        # AWSXRayDaemonWriteAccess grants a function; X-Ray has no resource-level permissions).
        { sid = "WriteTraces", actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources = ["*"] },
      ],
      length(secrets) == 0 ? [] : [
        { sid = "ReadItsSecrets", actions = ["secretsmanager:GetSecretValue"], resources = [for s in secrets : aws_secretsmanager_secret.app[s].arn] },
      ],
      fn != "migrate" ? [] : [
        # The app role's password, which migrate sets on the role it creates.
        { sid = "ReadTheAppRolePassword", actions = ["secretsmanager:GetSecretValue"], resources = [aws_secretsmanager_secret.database_app.arn] },
      ],
      fn != "ingest" ? [] : [
        { sid = "ReadContent", actions = ["s3:GetObject"], resources = ["${aws_s3_bucket.content.arn}/*"] },
        # Without it S3 answers 403 instead of 404 for an object deleted before the event was handled.
        { sid = "ListContent", actions = ["s3:ListBucket"], resources = [aws_s3_bucket.content.arn] },
        { sid = "DeadLetters", actions = ["sqs:SendMessage"], resources = [aws_sqs_queue.ingest_dead_letters.arn] },
        # The dead-letter queue and the bucket are encrypted with the app's key.
        { sid = "EncryptDeadLetters", actions = ["kms:GenerateDataKey"], resources = [aws_kms_key.app.arn] },
      ],
      contains(["lead", "jobs", "telegram"], fn) && local.sends_email ? [
        { sid = "SendLeadEmail", actions = ["ses:SendEmail"], resources = ["arn:${data.aws_partition.current.partition}:ses:${var.region}:${data.aws_caller_identity.current.account_id}:identity/*"] },
      ] : [],
    )
  }
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "fn" {
  for_each           = local.functions
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "fn" {
  for_each = local.function_statements
  dynamic "statement" {
    for_each = each.value
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "fn" {
  for_each = local.functions
  role     = aws_iam_role.fn[each.key].id
  policy   = data.aws_iam_policy_document.fn[each.key].json
}

resource "aws_cloudwatch_log_group" "fn" {
  for_each          = local.functions
  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = local.sized.log_days
  kms_key_id        = aws_kms_key.app.arn
}

resource "aws_sqs_queue" "ingest_dead_letters" {
  name                      = "${var.name}-ingest-dead-letters"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.app.arn
}

resource "aws_lambda_function" "fn" {
  # checkov:skip=CKV_AWS_116:the HTTP functions answer their callers synchronously and the scheduler retries jobs; the ingest function (asynchronous) has a dead-letter queue
  # checkov:skip=CKV_AWS_272:no code-signing profile yet; bundles are built reproducibly from the repository by `make package`
  for_each      = local.functions
  function_name = "${var.name}-${each.key}"
  role          = aws_iam_role.fn[each.key].arn
  # Amazon Linux 2023 (python3.11 runs on Amazon Linux 2, past its end of support); `make package`
  # builds the wheels and .pyc files for this version.
  runtime = "python${local.python_version}"
  handler = "main.handler"
  # `make package` builds these zips reproducibly (fixed times, unchecked-hash .pyc): deployed as
  # they are, so an unchanged function keeps its hash and is not redeployed.
  filename         = "${var.build_dir}/aws/${local.bundle_of[each.key]}.zip"
  source_code_hash = filebase64sha256("${var.build_dir}/aws/${local.bundle_of[each.key]}.zip")
  memory_size      = each.value.memory_mb
  # The functions that answer requests get a numbered version per code change, released through
  # their `live` alias (release.tf); the others run $LATEST.
  publish = contains(keys(local.released), each.key)
  timeout = each.value.timeout_s
  # Off by default: reserving needs the account to keep 100 unreserved, more than a new account's
  # whole limit (often 10), and CreateFunction / PutFunctionConcurrency fail otherwise.
  reserved_concurrent_executions = var.reserved_concurrency == 0 ? -1 : (contains(["migrate", "jobs"], each.key) ? 1 : var.reserved_concurrency)
  architectures                  = ["x86_64"]
  kms_key_arn                    = aws_kms_key.app.arn

  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.functions.id]
  }

  tracing_config {
    mode = "Active"
  }

  dynamic "dead_letter_config" {
    for_each = each.key == "ingest" ? [1] : []
    content {
      target_arn = aws_sqs_queue.ingest_dead_letters.arn
    }
  }

  environment {
    # Secrets are named by ARN and read on first use; the database takes an IAM token.
    variables = merge(
      module.contract.env[local.bundle_of[each.key]],
      {
        DATABASE_URL            = each.key == "migrate" ? local.owner_url : local.database_url
        DB_POOL_SIZE            = "1"
        LEAD_EMAIL_REGION       = var.region
        POWERTOOLS_SERVICE_NAME = each.key
        # The bundle's own identity: the same code reports as the same release, and an unchanged
        # function keeps its configuration (and its version).
        DOVVY_RELEASE = substr(filesha256("${var.build_dir}/aws/${local.bundle_of[each.key]}.zip"), 0, 12)
      },
      each.key != "migrate" ? {} : {
        DATABASE_APP_USER     = local.app_db_user
        DATABASE_APP_PASSWORD = aws_secretsmanager_secret.database_app.arn
      },
      # Ingest handles this bucket's events only (an event names its bucket; others are ignored).
      each.key != "ingest" ? {} : { CONTENT_BUCKET = aws_s3_bucket.content.bucket },
      # Lambda starts the chat bundle's wrapper instead of its own runtime client (stream.tf).
      each.key == "chat-stream" ? { AWS_LAMBDA_EXEC_WRAPPER = "/var/task/stream_bootstrap" } : {},
      { for s in local.function_secrets[each.key] : local.secret_variables[s] => aws_secretsmanager_secret.app[s].arn },
    )
  }

  depends_on = [aws_cloudwatch_log_group.fn, aws_iam_role_policy.fn]
}

# Migrations and reference data, applied from inside the VPC where the database is reachable: on
# the first apply, whenever the migrate bundle (which carries the migrations) or the database
# changes, and on the next apply after a failed run (a failed invocation is not recorded). Both
# steps are idempotent. `aws_db_proxy_target` is created as soon as the target is registered, not
# when it is available (the provider documents no wait), so the function itself waits for the
# database, backing off within its timeout (shared/dovvy/migrate_function.py); a function error
# fails the apply.
resource "aws_lambda_invocation" "migrate" {
  count         = var.run_migrations ? 1 : 0
  function_name = aws_lambda_function.fn["migrate"].function_name
  input         = jsonencode({})
  triggers = {
    bundle   = aws_lambda_function.fn["migrate"].source_code_hash
    database = local.owner_url
  }
  depends_on = [aws_db_proxy_target.main, aws_secretsmanager_secret_version.database_app]
}
