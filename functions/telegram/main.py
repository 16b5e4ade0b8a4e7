"""The Telegram function: AWS Lambda `handler` and the Cloud Run functions target `telegram`."""

from dovvy.function_apps import create_function_app
from dovvy.web.adapters import cloud_run_target, lambda_handler

app = create_function_app("telegram")
handler = lambda_handler(app)
telegram = cloud_run_target(app, "telegram")
