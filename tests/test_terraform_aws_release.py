"""Releases and alerts in the AWS module, applied on moto and read back through the AWS API: the
`live` aliases, CodeDeploy's deployment groups with their alarms and rollback, the alerts with the
thresholds of shared/dovvy/operations.json, the dashboard; then a second apply with one function's
bundle changed, which publishes a version and starts a staged shift instead of repointing `live`.

What moto cannot show: it keeps no deployment group's alarm configuration (GetDeploymentGroup
answers `{}`; the plan is read for it instead), and it neither shifts an alias nor evaluates an
alarm, so the canary itself and the rollback on alarm are CodeDeploy's, configured here and
exercised only on AWS."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dovvy.release import policy
from tests import ahead
from tests.aws_on_moto import Applied
from tests.terraform import terraform

RELEASED = ["session", "lead", "chat", "chat-stream", "telegram"]
OPS = policy.load()


@pytest.fixture(scope="module")
def applied() -> Applied:
    applied: Applied = ahead.result("aws applied")
    return applied


@pytest.fixture(scope="module")
def alarms(applied: Applied) -> dict[str, dict[str, Any]]:
    found = applied.client("cloudwatch").describe_alarms(MaxRecords=100)["MetricAlarms"]
    return {a["AlarmName"]: a for a in found}


@pytest.fixture(scope="module")
def planned(applied: Applied) -> dict[str, dict[str, Any]]:
    """What the first apply asked AWS for (its saved plan)."""
    plan = json.loads(terraform(["show", "-json", "plan.out"], applied.module).stdout)
    return {r["address"]: r.get("values", {}) for r in plan["planned_values"]["root_module"]["resources"]}


@pytest.mark.parametrize("function", RELEASED)
def test_each_released_function_is_served_through_its_live_alias(applied: Applied, function: str) -> None:
    lam = applied.client("lambda")
    alias = lam.get_alias(FunctionName=f"dovvy-{function}", Name="live")
    versions = [
        v["Version"] for v in lam.list_versions_by_function(FunctionName=f"dovvy-{function}")["Versions"]
    ]
    assert alias["FunctionVersion"] in versions
    assert alias["FunctionVersion"] != "$LATEST"
    # The gateway's permission is for the alias.
    policy_text = lam.get_policy(FunctionName=f"dovvy-{function}", Qualifier="live")["Policy"]
    if function != "chat-stream":
        assert "apigateway.amazonaws.com" in policy_text


@pytest.mark.parametrize("function", RELEASED)
def test_each_release_is_watched_by_alarms_and_rolled_back_on_them(
    applied: Applied, planned: dict[str, dict[str, Any]], function: str
) -> None:
    deploy = applied.client("codedeploy")
    group = deploy.get_deployment_group(applicationName="dovvy-functions", deploymentGroupName=function)[
        "deploymentGroupInfo"
    ]
    assert group["computePlatform"] == "Lambda"
    assert group["deploymentConfigName"] == OPS.canary.aws_deployment_config
    assert group["deploymentStyle"] == {
        "deploymentType": "BLUE_GREEN",
        "deploymentOption": "WITH_TRAFFIC_CONTROL",
    }
    assert group["autoRollbackConfiguration"]["enabled"] is True
    assert set(group["autoRollbackConfiguration"]["events"]) == {
        "DEPLOYMENT_FAILURE",
        "DEPLOYMENT_STOP_ON_ALARM",
    }
    # moto answers {} for the alarm configuration: the plan holds what AWS was asked for.
    (configured,) = planned[f'aws_codedeploy_deployment_group.fn["{function}"]']["alarm_configuration"]
    assert configured["enabled"] is True
    assert set(configured["alarms"]) == {
        f"dovvy-{function}-release-error-rate",
        f"dovvy-{function}-release-p95",
    }


def _metrics(alarm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["Id"]: q for q in alarm["Metrics"]}


@pytest.mark.parametrize("function", RELEASED)
def test_the_release_alarms_watch_the_new_version_alone(
    applied: Applied, alarms: dict[str, dict[str, Any]], function: str
) -> None:
    latest = max(
        int(v["Version"])
        for v in applied.client("lambda").list_versions_by_function(FunctionName=f"dovvy-{function}")[
            "Versions"
        ]
        if v["Version"] != "$LATEST"
    )
    errors, slow = alarms[f"dovvy-{function}-release-error-rate"], alarms[f"dovvy-{function}-release-p95"]
    assert errors["Threshold"] == OPS.alerts.error_rate
    assert slow["Threshold"] == OPS.alerts.p95_ms[function]
    for alarm in (errors, slow):
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        calls = _metrics(alarm)["calls"]["MetricStat"]["Metric"]
        dims = {d["Name"]: d["Value"] for d in calls["Dimensions"]}
        assert dims == {
            "FunctionName": f"dovvy-{function}",
            "Resource": f"dovvy-{function}:live",
            "ExecutedVersion": str(latest),
        }
    rate = _metrics(errors)["rate"]["Expression"]
    assert f"calls >= {OPS.alerts.min_requests}" in rate
    answered = _metrics(errors)["answered"]["MetricStat"]["Metric"]
    assert {d["Name"]: d["Value"] for d in answered["Dimensions"]} == {
        "Function": function,
        "Version": str(latest),
    }
    assert _metrics(slow)["duration"]["MetricStat"]["Stat"] == "p95"


def test_the_standing_alerts_hold_the_shared_thresholds_and_tell_someone(
    applied: Applied, alarms: dict[str, dict[str, Any]]
) -> None:
    alerts = OPS.alerts
    (topic,) = [
        t["TopicArn"]
        for t in applied.client("sns").list_topics()["Topics"]
        if t["TopicArn"].endswith(":dovvy-alerts")
    ]
    subscriptions = applied.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "oncall@example.com")]
    expected = {
        **{f"dovvy-{fn}-error-rate": alerts.error_rate for fn in RELEASED},
        **{f"dovvy-{fn}-p95": alerts.p95_ms[fn] for fn in RELEASED},
        "dovvy-ingest-dead-letters": alerts.dead_letters,
        "dovvy-leads-waiting": alerts.lead_waiting_minutes * 60,
        "dovvy-model-budget": alerts.model_budget_fraction,
        # db.t4g.small: 2 GiB, 85% of it over 9531392 bytes a connection (191), 80% of that.
        "dovvy-db-connections": 152,
    }
    for name, threshold in expected.items():
        alarm = alarms[name]
        assert alarm["Threshold"] == threshold, name
        assert alarm["AlarmActions"] == [topic], name
        # Nothing fires for want of data: an idle system raises no alert.
        assert alarm["TreatMissingData"] == "notBreaching", name
    assert len(alarms) == len(expected) + 2 * len(RELEASED)
    assert alarms["dovvy-chat-p95"]["Threshold"] == 10_000
    assert alarms["dovvy-session-p95"]["Threshold"] < 10_000


def test_the_alerts_read_the_lines_the_functions_write(applied: Applied) -> None:
    logs = applied.client("logs")
    filters = {f["filterName"]: f for f in logs.describe_metric_filters()["metricFilters"]}
    errors = filters["dovvy-chat-5xx"]
    assert errors["logGroupName"] == "/aws/lambda/dovvy-chat"
    assert errors["filterPattern"] == '{ $.message = "request done" && $.status >= 500 }'
    assert filters["dovvy-leads-waiting"]["metricTransformations"][0]["metricValue"] == "$.oldest_waiting_s"
    assert (
        filters["dovvy-telegram-model-budget"]["metricTransformations"][0]["metricValue"]
        == "$.budget_used_fraction"
    )


def test_one_dashboard_shows_the_service(applied: Applied) -> None:
    body = json.loads(applied.client("cloudwatch").get_dashboard(DashboardName="dovvy")["DashboardBody"])
    titles = {w["properties"]["title"] for w in body["widgets"]}
    assert {"Requests", "Duration p50 / p95 (ms)", "Database connections", "Model tokens spent"} <= titles
    assert {"Cold starts", "Chat stages p95 (ms)", "Leads created", "Lead notifications"} <= titles
    stages = next(w for w in body["widgets"] if w["properties"]["title"] == "Chat stages p95 (ms)")
    for stage in ("session", "embed", "retrieve", "generate", "save"):
        assert f"stages_ms.{stage}" in stages["properties"]["query"]


def test_a_changed_bundle_is_published_and_released_in_stages_not_switched(applied: Applied) -> None:
    before, lam = applied.first, applied.client("lambda")
    assert before["deployments"] == []  # the first apply starts nothing
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="dovvy-session")["Versions"]]
    new = str(max(int(v) for v in versions if v != "$LATEST"))
    assert new not in before["versions"]
    # `live` still serves the version it served: CodeDeploy, not the apply, moves it.
    assert lam.get_alias(FunctionName="dovvy-session", Name="live")["FunctionVersion"] == before["alias"]
    deploy = applied.client("codedeploy")
    (started,) = deploy.list_deployments(applicationName="dovvy-functions", deploymentGroupName="session")[
        "deployments"
    ]
    revision = deploy.get_deployment(deploymentId=started)["deploymentInfo"]["revision"]
    spec = json.loads(revision["appSpecContent"]["content"])
    (resource,) = spec["Resources"]
    assert resource["dovvy-session"]["Properties"] == {
        "Name": "dovvy-session",
        "Alias": "live",
        "CurrentVersion": before["alias"],
        "TargetVersion": new,
    }
    # Only the changed function was released.
    for other in ("lead", "chat", "telegram"):
        assert (
            deploy.list_deployments(applicationName="dovvy-functions", deploymentGroupName=other)[
                "deployments"
            ]
            == []
        )
    assert "shifts live to version" in applied.first["second_apply"]


def test_codedeploy_may_move_the_aliases_it_is_asked_to(applied: Applied) -> None:
    """Lambda authorises GetAlias and UpdateAlias against the function's own ARN, unqualified
    (Lambda Developer Guide, "Resources and conditions for Lambda actions"): granted on `:*` alone,
    every deployment is refused on AWS, which moto does not check."""
    iam = applied.client("iam")
    (name,) = iam.list_role_policies(RoleName="dovvy-codedeploy")["PolicyNames"]
    document = iam.get_role_policy(RoleName="dovvy-codedeploy", PolicyName=name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    (shift,) = [s for s in document["Statement"] if s["Sid"] == "ShiftTheLiveAliases"]
    assert {"lambda:GetAlias", "lambda:UpdateAlias"} <= set(shift["Action"])
    arns = {f["FunctionArn"] for f in applied.client("lambda").list_functions()["Functions"]}
    for function in RELEASED:
        (arn,) = [a for a in arns if a.endswith(f":function:dovvy-{function}")]
        assert arn in shift["Resource"], function
        assert f"{arn}:*" in shift["Resource"], function


def test_alarms_may_publish_to_the_encrypted_topic(applied: Applied) -> None:
    """The alerts topic is encrypted with the app's key; CloudWatch's notification fails unless the
    key's policy lets cloudwatch.amazonaws.com use it (Amazon SNS Developer Guide)."""
    sns, kms = applied.client("sns"), applied.client("kms")
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":dovvy-alerts")]
    key = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    (grant,) = [s for s in policy["Statement"] if s.get("Sid") == "CloudWatchAlarmsPublish"]
    assert grant["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(grant["Action"])
