"""The session function: AWS Lambda `handler` and the Cloud Run functions target `session`."""

from dovvy.function_apps import create_function_app
from dovvy.web.adapters import cloud_run_target, lambda_handler

app = create_function_app("session")
handler = lambda_handler(app)
session = cloud_run_target(app, "session")
