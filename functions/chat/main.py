"""The chat function: AWS Lambda `handler` and the Cloud Run functions target `chat`."""

from dovvy.function_apps import create_function_app
from dovvy.web.adapters import cloud_run_target, lambda_handler

app = create_function_app("chat")
handler = lambda_handler(app)
chat = cloud_run_target(app, "chat")
