"""`dovvy deploy preflight aws`: the AWS account and region checked for a first apply."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dovvy.cli.preflight import MODEL_SECRETS, Finding, bundles, guarded, model_secret
from dovvy.config import PROJECT_DIR

# A boto3 client by service name.
_Clients = Callable[[str], Any]

# With reservations on, these reserve N each, and migrate and jobs one each
# (infra/terraform/aws/functions.tf; tests/test_terraform_aws.py holds the two to each other).
RESERVING_N = ("session", "lead", "chat", "chat-stream", "ingest", "telegram")


def _identity(make: _Clients, region: str) -> Finding:
    account = make("sts").get_caller_identity()["Account"]
    return Finding("credentials", "ok", f"account {account}, region {region}")


def _concurrency(make: _Clients, reserved_concurrency: int) -> Finding:
    limit = make("lambda").get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
    if reserved_concurrency:
        needed = 100 + len(RESERVING_N) * reserved_concurrency + 2
        if limit < needed:
            return Finding(
                "lambda concurrency",
                "fail",
                f"limit {limit}; reserving {reserved_concurrency} per HTTP function needs {needed}",
                "ask Service Quotas for more 'Concurrent executions', or reserved_concurrency = 0",
            )
    elif limit < 100:
        return Finding(
            "lambda concurrency",
            "warn",
            f"limit {limit}: at most {limit} requests at once across every function",
            "ask Service Quotas for 1,000 'Concurrent executions' (new accounts start low)",
        )
    return Finding("lambda concurrency", "ok", f"limit {limit}")


def _engine(make: _Clients, region: str, instance_class: str) -> list[Finding]:
    rds = make("rds")
    versions = rds.describe_db_engine_versions(Engine="postgres", EngineVersion="18")["DBEngineVersions"]
    if not versions:
        return [Finding("postgres 18", "fail", f"not offered in {region}", "choose a region that offers it")]
    version = versions[-1]["EngineVersion"]
    options = rds.describe_orderable_db_instance_options(
        Engine="postgres", EngineVersion=version, DBInstanceClass=instance_class
    )["OrderableDBInstanceOptions"]
    classes = Finding("db instance class", "ok", f"{instance_class} offered for {version}")
    if not options:
        classes = Finding(
            "db instance class",
            "fail",
            f"{instance_class} not offered for {version}",
            "set db_instance_class",
        )
    return [Finding("postgres 18", "ok", f"{version} offered"), classes]


def _zones(make: _Clients) -> Finding:
    names = [z["ZoneName"] for z in make("ec2").describe_availability_zones()["AvailabilityZones"]]
    if len(names) < 2:
        return Finding("zones", "fail", f"{len(names)} availability zone", "the module needs two")
    return Finding("zones", "ok", f"{len(names)} availability zones")


def _network_quotas(make: _Clients) -> list[Finding]:
    ec2 = make("ec2")
    vpcs = len(ec2.describe_vpcs()["Vpcs"])
    addresses = len(ec2.describe_addresses()["Addresses"])
    # Default quotas: 5 VPCs and 5 Elastic IPs a region; the module adds one of each.
    return [
        Finding("vpcs", "ok" if vpcs < 5 else "warn", f"{vpcs} in use, default quota 5", "raise the quota"),
        Finding(
            "elastic ips",
            "ok" if addresses < 5 else "warn",
            f"{addresses} in use, default quota 5",
            "raise it",
        ),
    ]


def _sender(make: _Clients, lead_email_from: str) -> Finding:
    identity = make("sesv2").get_email_identity(EmailIdentity=lead_email_from)
    if identity.get("VerifiedForSendingStatus"):
        return Finding("ses sender", "ok", f"{lead_email_from} verified")
    return Finding("ses sender", "fail", f"{lead_email_from} not verified", "verify it in SES first")


def _secrets(manager: Any) -> list[Finding]:
    found = []
    for name in MODEL_SECRETS:
        try:
            stages = manager.describe_secret(SecretId=f"dovvy/{name}").get("VersionIdsToStages", {})
            state = "set" if any("AWSCURRENT" in listed for listed in stages.values()) else "empty"
        except manager.exceptions.ResourceNotFoundException:
            state = "missing"
        fix = f"aws secretsmanager put-secret-value --secret-id dovvy/{name} --secret-string ..."
        found.append(model_secret(f"secret dovvy/{name}", name, state, fix))
    return found


def _aws_cli() -> Finding:
    if shutil.which("aws"):
        return Finding("aws cli", "ok", "on PATH")
    return Finding(
        "aws cli",
        "fail",
        "not on PATH: the apply grants the streaming URL's invoke permission with it",
        "install the AWS CLI, or set grant_url_invoke_with_cli = false and grant it by hand",
    )


def aws_findings(
    region: str,
    *,
    reserved_concurrency: int = 0,
    instance_class: str = "db.t4g.small",
    lead_email_from: str | None = None,
    build_dir: Path = PROJECT_DIR / "build",
    client: _Clients | None = None,
) -> list[Finding]:
    import boto3

    make = client or (lambda service: boto3.client(service, region_name=region))  # type: ignore[call-overload]
    checks: list[tuple[str, Callable[[], Finding | list[Finding]]]] = [
        ("credentials", lambda: _identity(make, region)),
        ("lambda concurrency", lambda: _concurrency(make, reserved_concurrency)),
        ("postgres 18", lambda: _engine(make, region, instance_class)),
        ("zones", lambda: _zones(make)),
        ("network quotas", lambda: _network_quotas(make)),
        ("secrets", lambda: _secrets(make("secretsmanager"))),
    ]
    if lead_email_from:
        checks.append(("ses sender", lambda: _sender(make, lead_email_from)))
    found = [finding for name, check in checks for finding in guarded(name, check)]
    return [*found, _aws_cli(), bundles(build_dir, "aws")]
