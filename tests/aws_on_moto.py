"""The AWS module applied on moto's server, once per run (started ahead: `tests.ahead`), and what
the tests need to read it back."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from tests import ahead
from tests.terraform import terraform, workspace

SERVICES = "apigatewayv2 cloudwatch cloudwatchlogs codedeploy ec2 iam kms lambda rds s3 scheduler secretsmanager sns sqs sts".split()
WEBHOOK = "https://shop.example/hooks/leads"


@dataclass
class Applied:
    module: Path
    endpoint: str
    bundles: Path
    outputs: dict[str, Any]
    # What the first apply left, read before the second apply released a changed session bundle.
    first: dict[str, Any]

    def client(self, service: str) -> Any:
        # A name chosen at run time: the stubs type each literal service name only.
        make: Any = boto3.client
        return make(
            service,
            endpoint_url=self.endpoint,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto() -> str:
    """moto's server on a free port, stopped when the run ends; its endpoint."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        server.terminate()
        server.wait(timeout=10)

    ahead.at_exit(stop)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=1)
            return endpoint
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _override(endpoint: str) -> str:
    """Test-only: point the provider at moto, with throwaway credentials, and ignore what moto does
    not keep, which a second apply would otherwise try to change back: a deployment group's alarms
    (GetDeploymentGroup answers `{{}}`; the tests read them from the state), load balancer and tags
    (moto cannot update a group: the provider retries for minutes), and a database's Performance
    Insights settings (updating the database waits over a minute). No default tags, which moto's
    CodeDeploy does not return."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return f"""resource "aws_codedeploy_deployment_group" "fn" {{
  lifecycle {{
    ignore_changes = [alarm_configuration, load_balancer_info]
  }}
}}

resource "aws_db_instance" "main" {{
  lifecycle {{
    ignore_changes = [performance_insights_enabled, performance_insights_kms_key_id]
  }}
}}

provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  default_tags {{
    tags = {{}}
  }}
  endpoints {{
{endpoints}
  }}
}}
"""


def plan_vars(bundles: Path, **extra: str) -> list[str]:
    values = {
        "build_dir": str(bundles),
        "cors_origins": '["https://app.example"]',
        "lead_webhook_url": WEBHOOK,
        "lead_email_to": "shop@example.com",
        "lead_email_from": "buddy@example.com",
        # moto creates Lambda functions but cannot run them without Docker.
        "run_migrations": "false",
        # No AWS CLI against moto; what it grants is checked in the module's text.
        "grant_url_invoke_with_cli": "false",
        # The release step runs this checkout's CLI, pointed at moto by _release_env.
        "dovvy_command": f"{sys.executable} -m dovvy.cli",
        "alert_email": "oncall@example.com",
        **extra,
    }
    return [arg for name, value in values.items() for arg in ("-var", f"{name}={value}")]


def _release_env(endpoint: str) -> dict[str, str]:
    """What `dovvy release aws start`, run by the apply, needs to reach moto (boto3 reads these)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "eu-west-1",
    }


def change_bundle(bundles: Path, function: str) -> None:
    """One function's bundle changed (a file added), as the next commit would build it."""
    with zipfile.ZipFile(bundles / "aws" / f"{function}.zip", "a") as bundle:
        bundle.writestr("RELEASE", "the next release\n")


def _read_release_state(applied: Applied) -> dict[str, Any]:
    lam, deploy = applied.client("lambda"), applied.client("codedeploy")
    return {
        "alias": lam.get_alias(FunctionName="dovvy-session", Name="live")["FunctionVersion"],
        "versions": [
            v["Version"] for v in lam.list_versions_by_function(FunctionName="dovvy-session")["Versions"]
        ],
        "deployments": deploy.list_deployments(
            applicationName="dovvy-functions", deploymentGroupName="session"
        )["deployments"],
    }


def apply(bundles: Path, tmp: Path) -> Applied:
    """Initialised from the offline mirror, validated, planned and applied on a new moto server; then
    applied again with the session function's bundle changed, as the next release would be."""
    endpoint = start_moto()
    module = workspace(tmp) / "aws"
    # A copy, changed in place for the second apply: a bundle's path is part of the function's
    # configuration, so only the same path with new content is what a new build looks like.
    bundles = Path(shutil.copytree(bundles / "aws", tmp / "bundles" / "aws")).parent
    (module / "moto_override.tf").write_text(_override(endpoint))
    env = _release_env(endpoint)
    terraform(["init", "-backend=false", "-no-color"], module)
    assert "Success" in terraform(["validate", "-no-color"], module).stdout
    terraform(["plan", "-no-color", "-out", "plan.out", *plan_vars(bundles)], module)
    applied = terraform(["apply", "-no-color", "-auto-approve", "plan.out"], module, env=env)
    assert "Apply complete!" in applied.stdout
    outputs = json.loads(terraform(["output", "-json"], module).stdout)
    result = Applied(module, endpoint, bundles, {k: v["value"] for k, v in outputs.items()}, {})
    result.first = _read_release_state(result)
    change_bundle(bundles, "session")
    # Only what the changed function's release needs: moto reports differences of its own on an
    # unchanged database, and updating one waits minutes for it (a whole apply shows the same
    # release, with those updates around it).
    target = ["-target", 'terraform_data.release["session"]']
    again = terraform(["apply", "-no-color", "-auto-approve", *target, *plan_vars(bundles)], module, env=env)
    assert "Apply complete!" in again.stdout
    result.first["second_apply"] = again.stdout
    return result
