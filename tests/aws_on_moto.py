"""The AWS module applied on moto's server, once per run (started ahead: `tests.ahead`), and what
the tests need to read it back."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from tests import ahead
from tests.terraform import terraform, workspace

SERVICES = "apigatewayv2 cloudwatchlogs ec2 iam kms lambda rds s3 scheduler secretsmanager sqs sts".split()
WEBHOOK = "https://shop.example/hooks/leads"


@dataclass
class Applied:
    module: Path
    endpoint: str
    bundles: Path
    outputs: dict[str, Any]

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
    """Test-only: point the provider at moto, with throwaway credentials."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return f"""provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
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
        **extra,
    }
    return [arg for name, value in values.items() for arg in ("-var", f"{name}={value}")]


def apply(bundles: Path, tmp: Path) -> Applied:
    """Initialised from the offline mirror, validated, planned and applied on a new moto server."""
    endpoint = start_moto()
    module = workspace(tmp) / "aws"
    (module / "moto_override.tf").write_text(_override(endpoint))
    terraform(["init", "-backend=false", "-no-color"], module)
    assert "Success" in terraform(["validate", "-no-color"], module).stdout
    terraform(["plan", "-no-color", "-out", "plan.out", *plan_vars(bundles)], module)
    applied = terraform(["apply", "-no-color", "-auto-approve", "plan.out"], module)
    assert "Apply complete!" in applied.stdout
    outputs = json.loads(terraform(["output", "-json"], module).stdout)
    return Applied(module, endpoint, bundles, {k: v["value"] for k, v in outputs.items()})
