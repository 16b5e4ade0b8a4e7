# The knowledge base's bucket (versioned: deleting an article archives it, which ingest treats as a
# deletion when no live generation remains) and the bucket of function sources.

resource "google_storage_bucket" "content" {
  # checkov:skip=CKV_GCP_62:reads and writes are in Cloud Audit Logs (data access); a second log bucket adds nothing
  name                        = "${var.project_id}-${var.name}-content"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 90
    }
    action {
      type = "Delete"
    }
  }
  depends_on = [google_project_service.used]
}

resource "google_storage_bucket" "source" {
  # checkov:skip=CKV_GCP_62:reads and writes are in Cloud Audit Logs (data access); a second log bucket adds nothing
  name                        = "${var.project_id}-${var.name}-function-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Every bundle is kept under its hash, so a rollback re-points a function at an older object.
  versioning {
    enabled = true
  }
  depends_on = [google_project_service.used]
}

resource "google_storage_bucket_iam_member" "ingest_reads_content" {
  bucket = google_storage_bucket.content.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.fn["ingest"].member
}

# `make package` writes build/gcp/<function>/ with sorted, fixed-time files; zipped here and stored
# under the zip's hash, so an unchanged function keeps its object and is not rebuilt.
data "archive_file" "source" {
  for_each    = local.functions
  type        = "zip"
  source_dir  = "${var.build_dir}/gcp/${each.key}"
  output_path = "${path.module}/.build/${each.key}.zip"
}

resource "google_storage_bucket_object" "source" {
  for_each = data.archive_file.source
  name     = "${each.key}-${each.value.output_md5}.zip"
  bucket   = google_storage_bucket.source.name
  source   = each.value.output_path
}
