# /api/chat/stream, streamed. The HTTP API returns a Lambda's response whole, so the chat's
# server-sent events would reach the browser at once when the turn ends. A function URL in
# RESPONSE_STREAM mode passes each write on as it is made; Lambda's managed Python runtime cannot
# write that way, so the chat-stream function (the chat bundle, its own role and logs) names the
# bundle's `stream_bootstrap` as AWS_LAMBDA_EXEC_WRAPPER, which runs our own runtime loop
# (shared/dovvy/web/streaming_runtime.py, tested against a fake of the Runtime API).
#
# Same limits as the gateway's route: the same app enforces the body size, the rate limits and
# CORS (CORS_ORIGINS; preflights are answered by the function, so the URL has no CORS of its own,
# which would add a second Access-Control-Allow-Origin). The gateway's throttle does not apply:
# cap it with reserved_concurrency.

resource "aws_lambda_function_url" "chat_stream" {
  # checkov:skip=CKV_AWS_258:a public API like the gateway's routes; the app authenticates no one and limits each client address
  function_name      = aws_lambda_function.fn["chat-stream"].function_name
  qualifier          = aws_lambda_alias.live["chat-stream"].name
  authorization_type = "NONE"
  invoke_mode        = "RESPONSE_STREAM"
}

resource "aws_lambda_permission" "chat_stream_url" {
  # checkov:skip=CKV_AWS_301:public through its function URL only, as the API is public through the gateway; the app limits each client
  statement_id           = "PublicFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.fn["chat-stream"].function_name
  qualifier              = aws_lambda_alias.live["chat-stream"].name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Function URLs created since October 2025 also need lambda:InvokeFunction, granted only through
# the URL (AWS Lambda Developer Guide, "Control access to Lambda function URLs"). The aws provider
# 5.x cannot state that condition (`invoked_via_function_url` arrived in 6.x), and a plain grant to
# "*" would let any AWS account invoke the function directly, so the AWS CLI adds it.
resource "terraform_data" "chat_stream_invoke" {
  count            = var.grant_url_invoke_with_cli ? 1 : 0
  triggers_replace = [aws_lambda_function.fn["chat-stream"].arn]
  provisioner "local-exec" {
    command = "aws lambda add-permission --region ${var.region} --function-name ${aws_lambda_function.fn["chat-stream"].function_name} --qualifier ${aws_lambda_alias.live["chat-stream"].name} --statement-id PublicFunctionUrlInvoke --action lambda:InvokeFunction --principal '*' --invoked-via-function-url"
  }
}
