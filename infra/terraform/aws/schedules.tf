# EventBridge Scheduler runs the jobs function: lead notifications that failed are resent, expired
# sessions and rate counters deleted.

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.fn["jobs"].arn]
  }
  statement {
    # The schedules are encrypted with the app's key.
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.app.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "job" {
  for_each                     = module.contract.jobs
  name                         = "${var.name}-${each.key}"
  description                  = each.value.description
  schedule_expression          = each.value.aws
  schedule_expression_timezone = "UTC"
  kms_key_arn                  = aws_kms_key.app.arn
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.fn["jobs"].arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ job = each.key })
    retry_policy {
      maximum_retry_attempts = 2
    }
  }
}
