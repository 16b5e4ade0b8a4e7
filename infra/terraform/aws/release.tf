# Staged releases. Each function that answers requests is published as a version on every code
# change and served through its `live` alias: the gateway, the streaming URL and the Telegram
# webhook call the alias, never $LATEST. Terraform creates the alias once; from then on CodeDeploy
# moves it (the canary share of traffic for the watch, then all of it), and when one of the
# release's alarms goes off during the watch it sends all traffic back to the previous version
# without a person (AWS CodeDeploy User Guide, "Deployments on an AWS Lambda compute platform").
#
# An apply that publishes a version starts that staged shift (`dovvy release aws start`, below): it
# never repoints `live` itself, so a new version takes traffic only through the canary.

locals {
  released   = merge(module.contract.http_functions, { chat-stream = module.contract.http_functions["chat"] })
  operations = module.contract.operations
}

resource "aws_lambda_alias" "live" {
  for_each         = local.released
  name             = "live"
  function_name    = aws_lambda_function.fn[each.key].function_name
  function_version = aws_lambda_function.fn[each.key].version
  lifecycle {
    # CodeDeploy owns the alias after the first apply: Terraform repointing it would skip the canary.
    ignore_changes = [function_version, routing_config]
  }
}

resource "aws_codedeploy_app" "functions" {
  name             = "${var.name}-functions"
  compute_platform = "Lambda"
}

data "aws_iam_policy_document" "codedeploy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  name               = "${var.name}-codedeploy"
  assume_role_policy = data.aws_iam_policy_document.codedeploy_assume.json
}

# What CodeDeploy needs to shift the aliases and watch the alarms: what AWS's managed policy for
# Lambda deployments (AWSCodeDeployRoleForLambda) grants, narrowed to these functions. No hooks,
# no SNS triggers and no AppSpec files in S3, so none of the rest.
data "aws_iam_policy_document" "codedeploy" {
  # checkov:skip=CKV_AWS_356:cloudwatch:DescribeAlarms has no resource-level permissions
  statement {
    sid     = "ShiftTheLiveAliases"
    actions = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"]
    # GetAlias and UpdateAlias are authorised against the function's own ARN, without a qualifier
    # (Lambda Developer Guide, "Resources and conditions for Lambda actions"); `:*` alone would not
    # match it and every deployment would fail.
    resources = flatten([for fn in keys(local.released) : [aws_lambda_function.fn[fn].arn, "${aws_lambda_function.fn[fn].arn}:*"]])
  }
  statement {
    sid       = "ReadTheFunctions"
    actions   = ["lambda:GetFunction", "lambda:GetFunctionConfiguration"]
    resources = flatten([for fn in keys(local.released) : [aws_lambda_function.fn[fn].arn, "${aws_lambda_function.fn[fn].arn}:*"]])
  }
  statement {
    sid       = "WatchTheAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "codedeploy" {
  role   = aws_iam_role.codedeploy.id
  policy = data.aws_iam_policy_document.codedeploy.json
}

resource "aws_codedeploy_deployment_group" "fn" {
  for_each               = local.released
  app_name               = aws_codedeploy_app.functions.name
  deployment_group_name  = each.key
  service_role_arn       = aws_iam_role.codedeploy.arn
  deployment_config_name = var.deployment_config != "" ? var.deployment_config : local.operations.canary.aws_deployment_config

  # Lambda deployments are blue/green with traffic control; nothing else is accepted.
  deployment_style {
    deployment_option = "WITH_TRAFFIC_CONTROL"
    deployment_type   = "BLUE_GREEN"
  }

  alarm_configuration {
    enabled = true
    alarms  = [aws_cloudwatch_metric_alarm.error_rate["${each.key}-release"].alarm_name, aws_cloudwatch_metric_alarm.p95["${each.key}-release"].alarm_name]
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }

  depends_on = [aws_iam_role_policy.codedeploy]
}

# A new version (the bundle changed) starts its staged shift once its alarms watch it. Run on the
# operator's machine: the project's `dovvy` (make install) with the operator's AWS credentials. It
# compares the alias with the version and does nothing when they are equal (the first apply).
resource "terraform_data" "release" {
  for_each         = var.start_releases ? local.released : {}
  triggers_replace = [aws_lambda_function.fn[each.key].version]
  provisioner "local-exec" {
    command = join(" ", [
      var.dovvy_command, "release aws start",
      "--region", var.region,
      "--application", aws_codedeploy_app.functions.name,
      "--group", aws_codedeploy_deployment_group.fn[each.key].deployment_group_name,
      "--function", aws_lambda_function.fn[each.key].function_name,
      "--version", aws_lambda_function.fn[each.key].version,
    ])
  }
  # Migrations first: the new version never serves on a schema it does not know, and the old one
  # keeps working on the new schema (upgrades only add: tests/test_migrations_compatible.py).
  depends_on = [aws_lambda_alias.live, aws_cloudwatch_metric_alarm.error_rate, aws_cloudwatch_metric_alarm.p95, aws_lambda_invocation.migrate]
}
