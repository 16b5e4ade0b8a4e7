# RDS for PostgreSQL 18 (pgvector; the version the tests run on) with an RDS-managed master
# password (in Secrets Manager, rotated by RDS), behind RDS Proxy: Lambda's many short-lived
# connections share the proxy's pool instead of exhausting the instance's. Functions sign in to the proxy with IAM tokens (no password in their
# configuration); the proxy signs in to the database with the managed secret.

resource "aws_db_subnet_group" "main" {
  name       = "${var.name}-db"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_parameter_group" "main" {
  name   = "${var.name}-postgres18"
  family = "postgres18"
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
  # No diver's data in the database log: no statements or values on error, no DETAIL lines, no
  # bind parameters in slow-statement lines (shared/dovvy/db/embedded.py QUIET_LOG_SETTINGS).
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
  identifier                          = "${var.name}-postgres"
  engine                              = "postgres"
  engine_version                      = "18"
  instance_class                      = local.sized.db_instance_class
  allocated_storage                   = 20
  max_allocated_storage               = 200
  db_name                             = var.name
  username                            = var.name
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = aws_kms_key.app.key_id
  parameter_group_name                = aws_db_parameter_group.main.name
  db_subnet_group_name                = aws_db_subnet_group.main.name
  vpc_security_group_ids              = [aws_security_group.database.id]
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.app.arn
  multi_az                            = local.sized.db_multi_az
  backup_retention_period             = local.sized.backup_days
  deletion_protection                 = local.sized.deletion_protection
  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  copy_tags_to_snapshot               = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  performance_insights_enabled        = local.sized.performance_insights
  performance_insights_kms_key_id     = local.sized.performance_insights ? aws_kms_key.app.arn : null
  monitoring_interval                 = 0
  skip_final_snapshot                 = !local.sized.deletion_protection
  final_snapshot_identifier           = "${var.name}-postgres-final"
  # checkov:skip=CKV_AWS_293:on in the production profile, off in development on purpose (profile.tf); the plan test holds production to it
  # checkov:skip=CKV_AWS_133:7 days in the production profile, 1 in development (profile.tf); the plan test holds production to it
  # checkov:skip=CKV_AWS_157:Multi-AZ in the production profile, one zone in development (profile.tf); the plan test holds production to it
  # checkov:skip=CKV_AWS_353:Performance Insights in the production profile, off in development (profile.tf); the plan test holds production to it
  # checkov:skip=CKV_AWS_118:enhanced monitoring needs another role and costs per instance; Performance Insights is on
}

data "aws_iam_policy_document" "proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proxy" {
  name               = "${var.name}-db-proxy"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume.json
}

data "aws_iam_policy_document" "proxy" {
  statement {
    sid       = "ReadTheManagedPassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_db_instance.main.master_user_secret[0].secret_arn, aws_secretsmanager_secret.database_app.arn]
  }
  statement {
    sid       = "DecryptIt"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.app.arn]
  }
}

resource "aws_iam_role_policy" "proxy" {
  role   = aws_iam_role.proxy.id
  policy = data.aws_iam_policy_document.proxy.json
}

resource "aws_db_proxy" "main" {
  name                   = "${var.name}-db"
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.proxy.arn
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.proxy.id]
  require_tls            = true
  idle_client_timeout    = 900
  debug_logging          = false # would log statements, and so divers' data
  # One sign-in per database user the functions use: the owner (migrate) and the app role (all
  # the others); the proxy signs in to the database with each secret's username and password.
  auth {
    auth_scheme = "SECRETS"
    iam_auth    = "REQUIRED"
    secret_arn  = aws_db_instance.main.master_user_secret[0].secret_arn
  }
  auth {
    auth_scheme = "SECRETS"
    iam_auth    = "REQUIRED"
    secret_arn  = aws_secretsmanager_secret.database_app.arn
  }
}

resource "aws_db_proxy_default_target_group" "main" {
  db_proxy_name = aws_db_proxy.main.name
  connection_pool_config {
    max_connections_percent      = 90
    max_idle_connections_percent = 50
    connection_borrow_timeout    = 10
  }
}

resource "aws_db_proxy_target" "main" {
  db_proxy_name          = aws_db_proxy.main.name
  target_group_name      = aws_db_proxy_default_target_group.main.name
  db_instance_identifier = aws_db_instance.main.identifier
}

locals {
  # Functions connect to the proxy with an IAM token for a password (`auth=aws-iam`,
  # shared/dovvy/db/url.py); no secret is read to open a connection. The token is sent as the
  # password, so the proxy's certificate and name are verified first: RDS Proxy presents a
  # certificate from Amazon's public CAs for its endpoint, which the runtime's CA bundle trusts.
  # Every function but migrate signs in as the app role, which reads and writes rows only
  # (shared/dovvy/db/app_role.py, created by migrate); migrate signs in as the database's owner.
  app_db_user  = "${var.name}_app"
  database_url = "postgresql://${local.app_db_user}@${aws_db_proxy.main.endpoint}:5432/${aws_db_instance.main.db_name}?sslmode=verify-full&auth=aws-iam"
  owner_url    = "postgresql://${aws_db_instance.main.username}@${aws_db_proxy.main.endpoint}:5432/${aws_db_instance.main.db_name}?sslmode=verify-full&auth=aws-iam"
  # The `rds-db:connect` resource names the proxy by its resource id (prx-...), the last part of its ARN.
  proxy_users    = "arn:${data.aws_partition.current.partition}:rds-db:${var.region}:${data.aws_caller_identity.current.account_id}:dbuser:${element(split(":", aws_db_proxy.main.arn), 6)}"
  proxy_user_arn = { for fn in keys(local.functions) : fn => "${local.proxy_users}/${fn == "migrate" ? aws_db_instance.main.username : local.app_db_user}" }
}

# The app role's password, for RDS Proxy to sign in with (JSON, as the proxy reads it) and for
# migrate to set on the role. Generated once: later applies keep the stored value.
data "aws_secretsmanager_random_password" "database_app" {
  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "database_app" {
  # checkov:skip=CKV2_AWS_57:RDS Proxy and the role's own password must change together; rotate by putting a new value and invoking migrate (README)
  name                    = "${var.name}/database-app"
  kms_key_id              = aws_kms_key.app.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_app" {
  secret_id     = aws_secretsmanager_secret.database_app.id
  secret_string = jsonencode({ username = local.app_db_user, password = data.aws_secretsmanager_random_password.database_app.random_password })
  lifecycle {
    ignore_changes = [secret_string]
  }
}
