# One key for the app's secrets, logs, queue and database storage; the secrets that hold provider
# keys and the webhook signing secret. Their values are put in by hand (see README), never by
# Terraform, and a function reads only the ones it uses, on first use.

data "aws_iam_policy_document" "kms" {
  # checkov:skip=CKV_AWS_111:a key policy's "*" is this key; the account statement is AWS's default, delegating to IAM policies
  # checkov:skip=CKV_AWS_356:a key policy's "*" is this key
  # checkov:skip=CKV_AWS_109:the account's own administrators manage its key (AWS's default key policy)
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  # CloudWatch alarms publish to the alerts topic, which this key encrypts: without this grant the
  # alarm's notification fails (Amazon SNS Developer Guide, "Enable compatibility between event
  # sources from AWS services and encrypted topics").
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "app" {
  description         = "DovvyBuddy secrets, logs, queue and database"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms.json
}

locals {
  # Secret -> the variable that names it. The database has none: RDS manages its password.
  secret_variables = {
    gemini-api-key      = "GEMINI_API_KEY"      # checkov:skip=CKV_SECRET_6:a variable's name, not a value
    groq-api-key        = "GROQ_API_KEY"        # checkov:skip=CKV_SECRET_6:a variable's name, not a value
    lead-webhook-secret = "LEAD_WEBHOOK_SECRET" # checkov:skip=CKV_SECRET_6:a variable's name, not a value
    # BotFather's token, and the secret Telegram sends with each update (dovvy telegram webhook).
    telegram-bot-token      = "TELEGRAM_BOT_TOKEN"      # checkov:skip=CKV_SECRET_6:a variable's name, not a value
    telegram-webhook-secret = "TELEGRAM_WEBHOOK_SECRET" # checkov:skip=CKV_SECRET_6:a variable's name, not a value
  }
}

resource "aws_secretsmanager_secret" "app" {
  # checkov:skip=CKV2_AWS_57:provider API keys and the webhook secret cannot be rotated by a Lambda of ours; rotate them by hand (README)
  for_each                = local.secret_variables
  name                    = "${var.name}/${each.key}"
  kms_key_id              = aws_kms_key.app.arn
  recovery_window_in_days = 7
}
