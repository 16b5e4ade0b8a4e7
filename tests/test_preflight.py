"""`dovvy deploy preflight`: against moto's server for AWS (and a fake of Lambda's account
settings, which moto lacks) and a fake of Google's REST APIs for GCP, over real HTTP with the real
SDK and the real command."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from dovvy.cli import main
from dovvy.cli.preflight import Finding
from dovvy.cli.preflight_aws import aws_findings
from dovvy.cli.preflight_gcp import GCP_PERMISSIONS, gcp_findings
from dovvy.google_rest import GcpApi
from tests.json_fake import json_api
from tests.local_server import send_json, serving


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class FakeLambda:
    """Lambda's GetAccountSettings as its REST API answers it; the limit is the test's to set."""

    url: str = ""
    limit: int = 10


@pytest.fixture
def lambda_api() -> Iterator[FakeLambda]:
    fake = FakeLambda()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert self.path.startswith("/2016-08-19/account-settings")
            settings = {"ConcurrentExecutions": fake.limit, "UnreservedConcurrentExecutions": fake.limit}
            send_json(self, 200, {"AccountLimit": settings})

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        fake.url = url
        yield fake


@pytest.fixture
def aws_client(moto_url: str, lambda_api: FakeLambda, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    def make(service: str) -> Any:
        endpoint = lambda_api.url if service == "lambda" else moto_url
        client: Any = boto3.client  # a service named at run time
        return client(service, region_name="eu-west-1", endpoint_url=endpoint)

    return make


def test_aws_a_new_account(aws_client: Any, tmp_path: Path) -> None:
    found = by_check(aws_findings("eu-west-1", client=aws_client, build_dir=tmp_path))
    assert found["credentials"].status == "ok"
    assert found["zones"].status == "ok"
    # A new account's limit of 10: the apply works (nothing reserved), but say what it means.
    assert found["lambda concurrency"].status == "warn"
    assert "Service Quotas" in found["lambda concurrency"].fix
    assert found["secret dovvy/gemini-api-key"].status == "warn"  # step 1 creates it
    assert found["bundles"].status == "fail"
    # moto has no engine catalogue: the check says it could not run rather than guessing.
    assert found["postgres 18"].status == "unknown"


def test_aws_reserving_more_than_the_account_allows_fails(
    aws_client: Any, lambda_api: FakeLambda, tmp_path: Path
) -> None:
    lambda_api.limit = 1000
    assert (
        by_check(aws_findings("eu-west-1", client=aws_client, reserved_concurrency=50, build_dir=tmp_path))[
            "lambda concurrency"
        ].status
        == "ok"
    )
    lambda_api.limit = 400
    finding = by_check(
        aws_findings("eu-west-1", client=aws_client, reserved_concurrency=50, build_dir=tmp_path)
    )["lambda concurrency"]
    assert finding.status == "fail"
    assert "needs 402" in finding.detail  # 100 unreserved, 6 functions x 50, migrate and jobs 1 each


def test_aws_a_secret_without_its_value_is_named(aws_client: Any, tmp_path: Path) -> None:
    secrets = aws_client("secretsmanager")
    secrets.create_secret(Name="dovvy/gemini-api-key")
    found = by_check(aws_findings("eu-west-1", client=aws_client, build_dir=tmp_path))
    assert found["secret dovvy/gemini-api-key"].status == "fail"
    assert "put-secret-value" in found["secret dovvy/gemini-api-key"].fix
    secrets.put_secret_value(SecretId="dovvy/gemini-api-key", SecretString="k")
    found = by_check(aws_findings("eu-west-1", client=aws_client, build_dir=tmp_path))
    assert found["secret dovvy/gemini-api-key"].status == "ok"
    secrets.delete_secret(SecretId="dovvy/gemini-api-key", ForceDeleteWithoutRecovery=True)


# --- GCP ---------------------------------------------------------------------------------------


class FakeGoogle:
    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.enabled = ["serviceusage.googleapis.com", "cloudresourcemanager.googleapis.com"]
        self.granted = list(GCP_PERMISSIONS)
        self.networks = {"default"}
        self.regions = ["europe-west1", "us-central1", "global"]

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/cloudbilling/v1/projects/p/billingInfo":
            return 200, {"billingEnabled": True}
        if path.startswith("/serviceusage/v1/projects/p/services"):
            return 200, {"services": [{"config": {"name": n}} for n in self.enabled]}
        if path == "/cloudresourcemanager/v1/projects/p:testIamPermissions" and method == "POST":
            return 200, {"permissions": [p for p in body["permissions"] if p in self.granted]}
        if path == "/sqladmin/v1/projects/p/tiers":
            return 200, {"items": [{"tier": "db-f1-micro"}, {"tier": "db-g1-small"}]}
        if path.startswith("/compute/compute/v1/projects/p/global/networks/"):
            found = path.rsplit("/", 1)[1] in self.networks
            return (200, {"name": "default"}) if found else (404, {"error": {"code": 404}})
        if path == "/apigateway/v1/projects/p/locations":
            return 200, {"locations": [{"locationId": r} for r in self.regions]}
        if path == "/secretmanager/v1/projects/p/secrets/dovvy-gemini-api-key/versions":
            return 200, {"versions": [{"state": "ENABLED"}]}
        return 404, {"error": {"code": 404, "message": "not found"}}


@pytest.fixture
def google() -> Iterator[tuple[FakeGoogle, str]]:
    fake = FakeGoogle()
    with json_api(
        fake.answer, lambda request: fake.tokens.append(request.headers.get("Authorization", ""))
    ) as url:
        yield fake, url


def test_gcp_a_ready_project(google: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, url = google
    found = by_check(gcp_findings(GcpApi("tok", base=url), "p", "europe-west1", build_dir=tmp_path))
    for check in ("billing", "apis", "permissions", "cloud sql tier", "network", "api gateway region"):
        assert found[check].status == "ok", found[check]
    assert found["secret dovvy-gemini-api-key"].status == "ok"
    assert found["secret dovvy-groq-api-key"].status == "warn"  # not created yet: step 1 does
    assert set(fake.tokens) == {"Bearer tok"}


def test_gcp_each_missing_piece_is_named_with_its_fix(google: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, url = google
    fake.enabled = ["serviceusage.googleapis.com"]
    fake.granted = [p for p in GCP_PERMISSIONS if not p.startswith("cloudsql.")]
    fake.networks = set()
    found = by_check(
        gcp_findings(GcpApi("tok", base=url), "p", "asia-southeast1", tier="db-n1-huge", build_dir=tmp_path)
    )
    assert found["apis"].status == "fail"
    assert found["apis"].fix == "gcloud services enable cloudresourcemanager.googleapis.com"
    assert found["permissions"].status == "fail"
    assert "cloudsql.instances.create" in found["permissions"].detail
    assert found["network"].status == "fail"
    assert found["api gateway region"].status == "fail"
    assert "europe-west1" in found["api gateway region"].fix
    assert found["cloud sql tier"].status == "fail"


def test_the_command_prints_the_table_and_fails_when_something_must_be_fixed(
    google: tuple[FakeGoogle, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = google
    fake.networks = set()
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "tok")
    status = main(["deploy", "preflight", "gcp", "--project", "p", "--api-base", url])
    out = capsys.readouterr().out
    assert status == 1
    assert "FAIL    network" in out
    assert "-> create one, or set `network`" in out
    assert out.strip().splitlines()[-1].endswith("to fix before the first apply")
