"""AWS: starting the staged shift of an alias, against moto's Lambda and CodeDeploy."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from dovvy.cli import main
from dovvy.release.codedeploy import Target, appspec, start

REGION = "eu-west-1"


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("main.py", text)
    return buffer.getvalue()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        role = boto3.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam, deploy = (
            boto3.client("lambda", region_name=REGION),
            boto3.client("codedeploy", region_name=REGION),
        )
        lam.create_function(
            FunctionName="dovvy-session", Runtime="python3.12", Role=role, Handler="main.handler",
            Code={"ZipFile": _zip("v1")}, Publish=True,
        )  # fmt: skip
        lam.create_alias(FunctionName="dovvy-session", Name="live", FunctionVersion="1")
        deploy.create_application(applicationName="dovvy-functions", computePlatform="Lambda")
        deploy.create_deployment_group(
            applicationName="dovvy-functions", deploymentGroupName="session", serviceRoleArn=role,
            deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        )  # fmt: skip
        yield lam, deploy


TARGET = Target("dovvy-functions", "session", "dovvy-session", "live", "2")


def test_a_new_version_starts_a_deployment_from_the_version_live_serves(aws: tuple[Any, Any]) -> None:
    lam, deploy = aws
    lam.update_function_code(FunctionName="dovvy-session", ZipFile=_zip("v2"), Publish=True)
    started = start(lam, deploy, TARGET)
    assert started is not None
    revision = deploy.get_deployment(deploymentId=started)["deploymentInfo"]["revision"]
    assert revision["revisionType"] == "AppSpecContent"
    spec = json.loads(revision["appSpecContent"]["content"])
    assert spec["Resources"] == [
        {
            "dovvy-session": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Name": "dovvy-session",
                    "Alias": "live",
                    "CurrentVersion": "1",
                    "TargetVersion": "2",
                },
            }
        }
    ]
    # CodeDeploy moves the alias, not us.
    assert lam.get_alias(FunctionName="dovvy-session", Name="live")["FunctionVersion"] == "1"


def test_nothing_starts_when_live_already_serves_the_version(aws: tuple[Any, Any]) -> None:
    lam, deploy = aws
    assert start(lam, deploy, Target("dovvy-functions", "session", "dovvy-session", "live", "1")) is None
    assert (
        deploy.list_deployments(applicationName="dovvy-functions", deploymentGroupName="session")[
            "deployments"
        ]
        == []
    )


def test_the_command_the_apply_runs(aws: tuple[Any, Any], capsys: pytest.CaptureFixture[str]) -> None:
    lam, deploy = aws
    lam.update_function_code(FunctionName="dovvy-session", ZipFile=_zip("v2"), Publish=True)
    args = [
        "--application",
        "dovvy-functions",
        "--group",
        "session",
        "--function",
        "dovvy-session",
        "--region",
        REGION,
    ]
    assert main(["release", "aws", "start", *args, "--version", "2"]) == 0
    assert "shifts live to version 2" in capsys.readouterr().out
    assert (
        len(
            deploy.list_deployments(applicationName="dovvy-functions", deploymentGroupName="session")[
                "deployments"
            ]
        )
        == 1
    )


def test_the_appspec_is_stable_text() -> None:
    assert appspec(TARGET, "1") == appspec(TARGET, "1")
    assert json.loads(appspec(TARGET, "7"))["version"] == 0.0
