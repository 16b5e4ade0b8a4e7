# One variable picks what a deployment costs. `production` (the default) is what the README's cost
# table prices; `development` is for a team's own test deployment: one zone, the smallest database
# class, a day of backups, no Performance Insights, a month of logs, and a database that
# `terraform destroy` may remove.
#
# What it keeps, and why: RDS Proxy (the functions sign in with IAM tokens through it; without it
# the database user would need the rds_iam role, which also locks out the password the first
# migration signs in with) and the NAT gateway (the model APIs and the Gemini embedder are on the
# internet: without it chat cannot start its first answer).

locals {
  profiles = {
    production = {
      db_instance_class    = "db.t4g.small"
      db_multi_az          = true
      backup_days          = 7
      deletion_protection  = true
      performance_insights = true
      log_days             = 365
    }
    development = {
      db_instance_class    = "db.t4g.micro"
      db_multi_az          = false
      backup_days          = 1
      deletion_protection  = false
      performance_insights = false
      log_days             = 30
    }
  }
  # A variable given explicitly wins over its profile's value.
  profile = local.profiles[var.profile]
  sized = merge(local.profile, {
    db_instance_class = var.db_instance_class != null ? var.db_instance_class : local.profile.db_instance_class
    db_multi_az       = var.db_multi_az != null ? var.db_multi_az : local.profile.db_multi_az
  })
  # RDS for PostgreSQL's default max_connections is LEAST(DBInstanceClassMemory / 9531392, 5000),
  # and DBInstanceClassMemory is the class's memory less what the OS keeps: 85 % of it is assumed
  # here, so the connections alert errs early. A class not listed counts as 1 GiB.
  class_memory_gib = { "db.t4g.micro" = 1, "db.t4g.small" = 2, "db.t4g.medium" = 4, "db.t4g.large" = 8, "db.m7g.large" = 8, "db.r7g.large" = 16 }
  db_max_connections = var.db_max_connections != null ? var.db_max_connections : min(5000, floor(
    lookup(local.class_memory_gib, local.sized.db_instance_class, 1) * 1073741824 * 0.85 / 9531392
  ))
}
