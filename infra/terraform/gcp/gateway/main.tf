# The API Gateway configuration (OpenAPI 2.0, which every API Gateway release accepts), rendered
# from the contract's routes. No provider: the GCP module uses its output, and a test renders it.

variable "title" {
  description = "The API's title."
  type        = string
}

variable "routes" {
  description = "\"METHOD /path\" -> function, preflights included."
  type        = map(string)
}

variable "backends" {
  description = "Function -> its HTTPS address."
  type        = map(string)
}

variable "deadline_s" {
  description = "How long the gateway waits for a function (Cloud Run functions stop chat turns at 25 s)."
  type        = number
  default     = 30
}

output "document" {
  description = "The gateway's OpenAPI 2.0 document."
  value = templatefile("${path.module}/gateway.yaml.tftpl", {
    title      = var.title
    routes     = var.routes
    backends   = var.backends
    deadline_s = var.deadline_s
  })
}
