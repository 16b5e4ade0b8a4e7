# One variable picks what a deployment costs. `production` (the default) is what the README's cost
# table prices; `development` is for a team's own test deployment: one zone, a shared-core
# database, fewer and smaller function instances, and a database `terraform destroy` may remove.
# The VPC connector stays (the database has only a private address) at its smallest size.

locals {
  profiles = {
    production = {
      db_tier             = "db-custom-1-3840"
      availability        = "REGIONAL"
      db_max_connections  = 120
      max_instances       = { session = 3, lead = 2, chat = 5, telegram = 1 }
      concurrency         = 8
      deletion_protection = true
    }
    development = {
      db_tier             = "db-g1-small"
      availability        = "ZONAL"
      db_max_connections  = 50
      max_instances       = { session = 1, lead = 1, chat = 2, telegram = 1 }
      concurrency         = 4
      deletion_protection = false
    }
  }
  # A variable given explicitly wins over its profile's value.
  profile = local.profiles[var.profile]
  sized = merge(local.profile, {
    db_tier            = var.db_tier != null ? var.db_tier : local.profile.db_tier
    db_max_connections = var.db_max_connections != null ? var.db_max_connections : local.profile.db_max_connections
    max_instances      = var.max_instances != null ? var.max_instances : local.profile.max_instances
    concurrency        = var.concurrency != null ? var.concurrency : local.profile.concurrency
  })
}
