"""The lead function: AWS Lambda `handler` and the Cloud Run functions target `lead`."""

from dovvy.function_apps import create_function_app
from dovvy.web.adapters import cloud_run_target, lambda_handler

app = create_function_app("lead")
handler = lambda_handler(app)
lead = cloud_run_target(app, "lead")
