"""The AWS module, initialised from the offline provider mirror, validated, planned and applied
against moto's server; then what it created is read back through the AWS API."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from dovvy.cli.lambda_python import PYTHON_VERSION, target_python
from dovvy.cli.preflight_aws import RESERVING_N
from tests import ahead, cron
from tests.aws_on_moto import Applied, plan_vars
from tests.terraform import contract_routes, terraform


@pytest.fixture(scope="module")
def applied() -> Applied:
    applied: Applied = ahead.result("aws applied")
    return applied


def test_every_operation_is_routed_to_its_function(applied: Applied) -> None:
    api = applied.client("apigatewayv2")
    (http,) = api.get_apis()["Items"]
    integrations = {i["IntegrationId"]: i for i in api.get_integrations(ApiId=http["ApiId"])["Items"]}
    routed = {}
    for route in api.get_routes(ApiId=http["ApiId"])["Items"]:
        integration = integrations[route["Target"].removeprefix("integrations/")]
        assert integration["PayloadFormatVersion"] == "2.0"
        assert integration["TimeoutInMillis"] <= 29_000
        routed[route["RouteKey"]] = integration["IntegrationUri"].split(":function:")[1].split("/")[0]
    # Each to its function's `live` alias, which releases move, never to $LATEST.
    assert routed == {route: f"dovvy-{fn}:live" for route, fn in contract_routes().items()}
    cors = http["CorsConfiguration"]
    assert cors["AllowOrigins"] == ["https://app.example"]
    assert cors["AllowCredentials"] is True
    assert applied.outputs["api_url"] == http["ApiEndpoint"]


def test_storage_events_invoke_the_ingest_function(applied: Applied) -> None:
    config = applied.client("s3").get_bucket_notification_configuration(
        Bucket=applied.outputs["content_bucket"]
    )
    (target,) = config["LambdaFunctionConfigurations"]
    assert target["LambdaFunctionArn"].endswith(":function:dovvy-ingest")
    assert set(target["Events"]) == {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
    rules = target["Filter"]["Key"]["FilterRules"]
    assert {"Name": "Suffix", "Value": ".md"} in [
        {"Name": r["Name"].capitalize(), "Value": r["Value"]} for r in rules
    ]


FUNCTIONS = ["session", "lead", "chat", "chat-stream", "ingest", "migrate", "jobs", "telegram"]


def bundle_of(function: str) -> str:
    return "chat" if function == "chat-stream" else function


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_runs_its_own_bundle(applied: Applied, function: str) -> None:
    config = applied.client("lambda").get_function(FunctionName=f"dovvy-{function}")["Configuration"]
    assert config["Handler"] == "main.handler"
    assert config["Runtime"] == f"python{PYTHON_VERSION}"  # the version the bundle was built for
    bundle = (applied.bundles / "aws" / f"{bundle_of(function)}.zip").read_bytes()
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(bundle).digest()).decode()
    assert config["Role"].endswith(f":role/dovvy-{function}")
    env = config["Environment"]["Variables"]
    # The IAM token goes as the password: only to a proxy whose certificate and name check out.
    assert env["DATABASE_URL"].endswith("?sslmode=verify-full&auth=aws-iam")
    user = env["DATABASE_URL"].removeprefix("postgresql://").split("@")[0]
    assert ":" not in user  # no password
    # Only migrate signs in as the owner; every other function as the app role, which cannot
    # change the schema (tests/test_app_role.py).
    assert user == ("dovvy" if function == "migrate" else "dovvy_app")
    assert env["POWERTOOLS_SERVICE_NAME"] == function
    assert len(config["VpcConfig"]["SubnetIds"]) == 2
    if function in ("session", "lead", "chat", "chat-stream"):
        assert config["Timeout"] < 29  # the HTTP API gives up at 29 s


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_starts_from_its_bundle_with_the_environment_terraform_gave_it(
    applied: Applied, tmp_path: Path, function: str
) -> None:
    """The environment as Lambda holds it after the apply, the bundle as Lambda unzips it: the
    function's own start-up check passes (session once refused: LLM_PROVIDERS without the keys)."""
    env = applied.client("lambda").get_function(FunctionName=f"dovvy-{function}")["Configuration"][
        "Environment"
    ]["Variables"]
    zipfile.ZipFile(applied.bundles / "aws" / f"{bundle_of(function)}.zip").extractall(tmp_path)
    script = (
        "import sys; sys.path.insert(0, '.'); import main\n"
        "from dovvy import needs; from dovvy.config import Settings\n"
        f"needs.check(Settings.from_env(), {bundle_of(function)!r}); print('started')\n"
    )
    result = subprocess.run(
        [target_python(), "-S", "-E", "-B", "-c", script],
        cwd=tmp_path,
        env={**env, "AWS_REGION": "eu-west-1", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "started", result.stderr[-1500:]


# Each feature a function is configured with, and what its role must allow for CreateFunction or
# the feature's first use to succeed (Lambda checks tracing, VPC and DLQ permissions at create time;
# moto checks none). AWS Lambda Developer Guide: "Visualize Lambda function invocations using AWS
# X-Ray", "Giving Lambda functions access to resources in an Amazon VPC", "dead-letter queues".
def _needed_actions(config: dict[str, Any]) -> set[str]:
    needed = {"logs:CreateLogStream", "logs:PutLogEvents"}
    if config.get("TracingConfig", {}).get("Mode") == "Active":
        needed |= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    if config.get("VpcConfig", {}).get("SubnetIds"):
        needed |= {
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DeleteNetworkInterface",
        }
    if config.get("DeadLetterConfig", {}).get("TargetArn", "").startswith("arn:aws:sqs:"):
        needed |= {"sqs:SendMessage"}
    if config.get("KMSKeyArn"):
        needed |= {"kms:Decrypt"}
    return needed


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_feature_a_function_uses_is_allowed_by_its_role(applied: Applied, function: str) -> None:
    config = applied.client("lambda").get_function(FunctionName=f"dovvy-{function}")["Configuration"]
    iam = applied.client("iam")
    (name,) = iam.list_role_policies(RoleName=f"dovvy-{function}")["PolicyNames"]
    document = iam.get_role_policy(RoleName=f"dovvy-{function}", PolicyName=name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    allowed = set()
    for statement in document["Statement"]:
        actions = statement["Action"]
        allowed |= {actions} if isinstance(actions, str) else set(actions)
    assert config["TracingConfig"]["Mode"] == "Active"  # so the tracing rule is exercised
    assert _needed_actions(config) - allowed == set()


def test_no_concurrency_is_reserved_unless_asked(applied: Applied) -> None:
    """AWS keeps 100 executions unreserved; a new account's whole limit can be 10, so any
    reservation would fail the apply there. Reserving is a variable, off by default."""
    plan = json.loads(terraform(["show", "-json", "plan.out"], applied.module).stdout)
    functions = [
        r for r in plan["planned_values"]["root_module"]["resources"] if r["type"] == "aws_lambda_function"
    ]
    assert len(functions) == 8
    assert {f["values"]["reserved_concurrent_executions"] for f in functions} == {-1}
    reserving = terraform(
        ["plan", "-no-color", *plan_vars(applied.bundles, reserved_concurrency="50")], applied.module
    )
    # As many as the preflight counts when it checks the account's limit.
    assert reserving.stdout.count("reserved_concurrent_executions = -1 -> 50") == len(RESERVING_N)


SECRETS_READ = {
    "session": set(),
    "migrate": set(),
    "lead": {"lead-webhook-secret"},
    "jobs": {"lead-webhook-secret"},
    "chat": {"gemini-api-key", "groq-api-key"},
    "chat-stream": {"gemini-api-key", "groq-api-key"},
    "ingest": {"gemini-api-key"},
    "telegram": {
        *("gemini-api-key", "groq-api-key", "lead-webhook-secret"),
        *("telegram-bot-token", "telegram-webhook-secret"),
    },
}


@pytest.mark.parametrize("function", sorted(SECRETS_READ))
def test_each_role_holds_only_its_functions_permissions(applied: Applied, function: str) -> None:
    iam = applied.client("iam")
    (name,) = iam.list_role_policies(RoleName=f"dovvy-{function}")["PolicyNames"]
    document = iam.get_role_policy(RoleName=f"dovvy-{function}", PolicyName=name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    grants = {s["Sid"]: s for s in document["Statement"]}
    assert grants["ConnectToTheDatabase"]["Action"] == "rds-db:connect"
    connects_as = grants["ConnectToTheDatabase"]["Resource"].rsplit("/", 1)[1]
    assert connects_as == ("dovvy" if function == "migrate" else "dovvy_app")
    assert ("ReadTheAppRolePassword" in grants) is (function == "migrate")
    secrets = grants.get("ReadItsSecrets", {}).get("Resource", [])
    secrets = [secrets] if isinstance(secrets, str) else secrets
    assert {arn.split(":secret:dovvy/")[1].rsplit("-", 1)[0] for arn in secrets} == SECRETS_READ[function]
    assert ("ReadContent" in grants) is (function == "ingest")
    assert ("SendLeadEmail" in grants) is (function in ("lead", "jobs", "telegram"))
    env = applied.client("lambda").get_function(FunctionName=f"dovvy-{function}")["Configuration"][
        "Environment"
    ]
    named = {key for key, value in env["Variables"].items() if value.startswith("arn:aws:secretsmanager:")}
    expected = {s.upper().replace("-", "_") for s in SECRETS_READ[function]}
    assert named == expected | ({"DATABASE_APP_PASSWORD"} if function == "migrate" else set())


def test_the_schedules_run_the_jobs_function(applied: Applied) -> None:
    scheduler = applied.client("scheduler")
    found = {}
    for summary in scheduler.list_schedules()["Schedules"]:
        schedule = scheduler.get_schedule(Name=summary["Name"])
        assert schedule["Target"]["Arn"].endswith(":function:dovvy-jobs")
        assert cron.aws_problems(schedule["ScheduleExpression"]) == []
        found[json.loads(schedule["Target"]["Input"])["job"]] = schedule["ScheduleExpression"]
    from dovvy.jobs import BY_HAND, JOBS

    assert set(found) == set(JOBS) - BY_HAND


def test_the_database_is_reached_through_a_proxy_with_iam_sign_in(applied: Applied) -> None:
    rds = applied.client("rds")
    (proxy,) = rds.describe_db_proxies()["DBProxies"]
    assert proxy["RequireTLS"] is True
    (instance,) = rds.describe_db_instances()["DBInstances"]
    # The proxy's auth entries are a set: told apart by their secret, not their order.
    (owner,) = [a for a in proxy["Auth"] if a["SecretArn"] == instance["MasterUserSecret"]["SecretArn"]]
    (app,) = [a for a in proxy["Auth"] if a is not owner]
    assert {owner["IAMAuth"], app["IAMAuth"]} == {"REQUIRED"}  # RDS manages the owner's password
    # The app role's sign-in: a secret the proxy reads as {"username", "password"}.
    stored = applied.client("secretsmanager").get_secret_value(SecretId=app["SecretArn"])["SecretString"]
    assert set(json.loads(stored)) == {"username", "password"}
    assert json.loads(stored)["username"] == "dovvy_app"
    assert len(json.loads(stored)["password"]) == 40
    assert instance["StorageEncrypted"] is True
    assert instance["PubliclyAccessible"] is False
    assert applied.outputs["database_proxy"] == proxy["Endpoint"]


def test_the_functions_reach_aws_apis_through_endpoints_and_the_internet_through_nat(
    applied: Applied,
) -> None:
    ec2 = applied.client("ec2")
    endpoints = {e["ServiceName"].rsplit(".", 1)[1] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]}
    assert {"s3", "secretsmanager"} <= endpoints
    (nat,) = ec2.describe_nat_gateways()["NatGateways"]
    private = ec2.describe_route_tables(
        Filters=[{"Name": "route.nat-gateway-id", "Values": [nat["NatGatewayId"]]}]
    )["RouteTables"]
    assert len(private) == 1
    assert len(private[0]["Associations"]) == 2  # both private subnets


def test_a_deploy_invokes_migrate_after_the_database_exists(applied: Applied) -> None:
    plan = terraform(
        ["plan", "-no-color", *plan_vars(applied.bundles, run_migrations="true")], applied.module
    )
    assert "aws_lambda_invocation.migrate[0] will be created" in plan.stdout


def test_chat_stream_is_a_streaming_function_url_running_our_runtime_loop(applied: Applied) -> None:
    """The HTTP API buffers a Lambda response whole; a RESPONSE_STREAM function URL does not, if
    the function writes the streaming way (tests/test_streaming_runtime.py runs that loop)."""
    lam = applied.client("lambda")
    url = lam.get_function_url_config(FunctionName="dovvy-chat-stream", Qualifier="live")
    assert url["InvokeMode"] == "RESPONSE_STREAM"
    assert url["AuthType"] == "NONE"
    assert applied.outputs["chat_stream_url"] == url["FunctionUrl"].rstrip("/") + "/api/chat/stream"
    env = lam.get_function(FunctionName="dovvy-chat-stream")["Configuration"]["Environment"]["Variables"]
    wrapper = env["AWS_LAMBDA_EXEC_WRAPPER"]
    archive = zipfile.ZipFile(applied.bundles / "aws" / "chat.zip")
    assert (archive.getinfo(wrapper.removeprefix("/var/task/")).external_attr >> 16) & 0o111
    policy = json.loads(lam.get_policy(FunctionName="dovvy-chat-stream", Qualifier="live")["Policy"])
    (public,) = [s for s in policy["Statement"] if s["Sid"] == "PublicFunctionUrl"]
    assert public["Action"] == "lambda:InvokeFunctionUrl"
    assert public["Principal"] in ("*", {"AWS": "*"})
    # moto keeps no condition; the plan says what AWS is asked for.
    plan = json.loads(terraform(["show", "-json", "plan.out"], applied.module).stdout)
    (planned,) = [
        r for r in plan["planned_values"]["root_module"]["resources"]
        if r["address"] == "aws_lambda_permission.chat_stream_url"
    ]  # fmt: skip
    assert planned["values"]["function_url_auth_type"] == "NONE"
    # The other grant new URLs need, limited to calls through the URL (added by the AWS CLI).
    stream_tf = (applied.module / "stream.tf").read_text()
    assert "--action lambda:InvokeFunction --principal '*' --invoked-via-function-url" in stream_tf


def test_the_development_profile_is_one_variable_and_cheaper(applied: Applied) -> None:
    """Planned (not applied) against the same moto state: one zone, the smallest class, short
    retention, removable; the proxy and NAT stay (profile.tf says why)."""
    terraform(
        ["plan", "-no-color", "-out", "dev.out", *plan_vars(applied.bundles, profile="development")],
        applied.module,
    )
    plan = json.loads(terraform(["show", "-json", "dev.out"], applied.module).stdout)
    planned = {r["address"]: r.get("values", {}) for r in plan["planned_values"]["root_module"]["resources"]}
    database = planned["aws_db_instance.main"]
    assert database["instance_class"] == "db.t4g.micro"
    assert database["multi_az"] is False
    assert database["deletion_protection"] is False
    assert database["backup_retention_period"] == 1
    assert database["performance_insights_enabled"] is False
    assert planned['aws_cloudwatch_log_group.fn["chat"]']["retention_in_days"] == 30
    assert "aws_db_proxy.main" in planned
    assert "aws_nat_gateway.main" in planned
    production = json.loads(terraform(["show", "-json", "plan.out"], applied.module).stdout)
    values = {
        r["address"]: r.get("values", {}) for r in production["planned_values"]["root_module"]["resources"]
    }
    # What checkov cannot see through the profile: production keeps its safeguards.
    production_database = values["aws_db_instance.main"]
    assert production_database["multi_az"] is True
    assert production_database["instance_class"] == "db.t4g.small"
    assert production_database["deletion_protection"] is True
    assert production_database["backup_retention_period"] == 7
    assert production_database["performance_insights_enabled"] is True
    assert values['aws_cloudwatch_log_group.fn["chat"]']["retention_in_days"] == 365
