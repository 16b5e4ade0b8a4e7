# API Gateway: every operation in openapi.yaml and its browser preflight, each to its function.

module "gateway_config" {
  source   = "./gateway"
  title    = "${var.name} API"
  routes   = merge(module.contract.routes, module.contract.preflights)
  backends = { for name, fn in google_cloudfunctions2_function.http : name => fn.service_config[0].uri }
}

resource "google_api_gateway_api" "api" {
  provider   = google-beta
  api_id     = "${var.name}-api"
  depends_on = [google_project_service.used]
}

resource "google_api_gateway_api_config" "api" {
  provider             = google-beta
  api                  = google_api_gateway_api.api.api_id
  api_config_id_prefix = "${var.name}-"

  openapi_documents {
    document {
      path     = "gateway.yaml"
      contents = base64encode(module.gateway_config.document)
    }
  }

  gateway_config {
    backend_config {
      google_service_account = google_service_account.gateway.email
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_api_gateway_gateway" "api" {
  provider   = google-beta
  gateway_id = "${var.name}-gateway"
  api_config = google_api_gateway_api_config.api.id
  region     = var.region
}
