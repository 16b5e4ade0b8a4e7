"""`dovvy deploy preflight aws|gcp`: what a first `terraform apply` needs from the account or
project, checked with the user's own credentials before anything is created, each problem with
what to do. Read-only: it lists and describes, never creates.

Each check is one of: ok, warn (the apply works, something is worth knowing), fail (the apply or
the first request would fail) or unknown (the check itself could not run: do it by hand).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dovvy.config import PROJECT_DIR

BUNDLES = ("session", "lead", "chat", "ingest", "migrate", "jobs")
MODEL_SECRETS = ("gemini-api-key", "groq-api-key")


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str
    status: str  # ok, warn, fail, unknown
    detail: str
    fix: str = ""


def report(findings: list[Finding]) -> str:
    width = max(len(f.check) for f in findings)
    lines = []
    for f in findings:
        lines.append(f"{f.status.upper():<7} {f.check:<{width}}  {f.detail}")
        if f.fix and f.status != "ok":
            lines.append(f"{'':<7} {'':<{width}}  -> {f.fix}")
    failed = sum(f.status == "fail" for f in findings)
    lines.append(f"{failed} to fix before the first apply" if failed else "nothing stops a first apply")
    return "\n".join(lines)


def _guarded(name: str, check: Callable[[], Finding | list[Finding]]) -> list[Finding]:
    """A check that cannot run (no permission, an API the emulator lacks) is `unknown`, not a crash."""
    try:
        found = check()
    except Exception as exc:  # each cloud SDK raises its own kinds; the message is the report
        return [
            Finding(
                name, "unknown", f"could not check ({type(exc).__name__}: {str(exc)[:160]})", "check by hand"
            )
        ]
    return found if isinstance(found, list) else [found]


def _bundles(build_dir: Path, cloud: str) -> Finding:
    kind = "zip" if cloud == "aws" else "dir"
    missing = [b for b in BUNDLES if not (build_dir / cloud / (f"{b}.zip" if kind == "zip" else b)).exists()]
    if missing:
        return Finding("bundles", "fail", f"not built: {', '.join(missing)}", "run `make package`")
    return Finding("bundles", "ok", f"all {len(BUNDLES)} in {build_dir / cloud}")


# --- AWS ---------------------------------------------------------------------------------------

# Every function the module creates; with reservations on, the HTTP ones reserve N each and migrate
# and jobs one each (infra/terraform/aws/functions.tf).
_AWS_HTTP_FUNCTIONS = 4


def _model_secret(label: str, name: str, state: str, fix: str) -> Finding:
    """A model key's secret: `missing` (the first deploy's step 1 creates it), `empty` or `set`.
    Without the Gemini key chat and ingest cannot embed; without another, its provider is off."""
    if state == "set":
        return Finding(label, "ok", "has a value")
    if state == "missing":
        return Finding(
            label,
            "warn",
            "not created yet",
            "step 1 of the first deploy creates it; put its value before step 2",
        )
    if name == "gemini-api-key":
        return Finding(label, "fail", "no value: chat and ingest cannot embed", fix)
    return Finding(label, "warn", "no value: its provider is off", fix)


def _aws_secrets(manager: Any) -> list[Finding]:
    found = []
    for name in MODEL_SECRETS:
        try:
            stages = manager.describe_secret(SecretId=f"dovvy/{name}").get("VersionIdsToStages", {})
            state = "set" if any("AWSCURRENT" in listed for listed in stages.values()) else "empty"
        except manager.exceptions.ResourceNotFoundException:
            state = "missing"
        fix = f"aws secretsmanager put-secret-value --secret-id dovvy/{name} --secret-string ..."
        found.append(_model_secret(f"secret dovvy/{name}", name, state, fix))
    return found


def aws_findings(
    region: str,
    *,
    reserved_concurrency: int = 0,
    instance_class: str = "db.t4g.small",
    lead_email_from: str | None = None,
    build_dir: Path = PROJECT_DIR / "build",
    client: Callable[[str], Any] | None = None,
) -> list[Finding]:
    import boto3

    make = client or (lambda service: boto3.client(service, region_name=region))  # type: ignore[call-overload]
    found: list[Finding] = []

    def identity() -> Finding:
        account = make("sts").get_caller_identity()["Account"]
        return Finding("credentials", "ok", f"account {account}, region {region}")

    def concurrency() -> Finding:
        limit = make("lambda").get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
        if reserved_concurrency:
            needed = 100 + _AWS_HTTP_FUNCTIONS * reserved_concurrency + 2
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

    def engine() -> list[Finding]:
        rds = make("rds")
        versions = rds.describe_db_engine_versions(Engine="postgres", EngineVersion="18")["DBEngineVersions"]
        if not versions:
            return [
                Finding("postgres 18", "fail", f"not offered in {region}", "choose a region that offers it")
            ]
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

    def zones() -> Finding:
        names = [z["ZoneName"] for z in make("ec2").describe_availability_zones()["AvailabilityZones"]]
        if len(names) < 2:
            return Finding("zones", "fail", f"{len(names)} availability zone", "the module needs two")
        return Finding("zones", "ok", f"{len(names)} availability zones")

    def network_quotas() -> list[Finding]:
        ec2 = make("ec2")
        vpcs = len(ec2.describe_vpcs()["Vpcs"])
        addresses = len(ec2.describe_addresses()["Addresses"])
        # Default quotas: 5 VPCs and 5 Elastic IPs a region; the module adds one of each.
        return [
            Finding(
                "vpcs", "ok" if vpcs < 5 else "warn", f"{vpcs} in use, default quota 5", "raise the quota"
            ),
            Finding(
                "elastic ips",
                "ok" if addresses < 5 else "warn",
                f"{addresses} in use, default quota 5",
                "raise it",
            ),
        ]

    def sender() -> Finding:
        assert lead_email_from is not None
        identity = make("sesv2").get_email_identity(EmailIdentity=lead_email_from)
        if identity.get("VerifiedForSendingStatus"):
            return Finding("ses sender", "ok", f"{lead_email_from} verified")
        return Finding("ses sender", "fail", f"{lead_email_from} not verified", "verify it in SES first")

    found += _guarded("credentials", identity)
    found += _guarded("lambda concurrency", concurrency)
    found += _guarded("postgres 18", engine)
    found += _guarded("zones", zones)
    found += _guarded("network quotas", network_quotas)
    found += _guarded("secrets", lambda: _aws_secrets(make("secretsmanager")))
    if lead_email_from:
        found += _guarded("ses sender", sender)
    found.append(
        Finding("aws cli", "ok", "on PATH")
        if shutil.which("aws")
        else Finding(
            "aws cli",
            "fail",
            "not on PATH: the apply grants the streaming URL's invoke permission with it",
            "install the AWS CLI, or set grant_url_invoke_with_cli = false and grant it by hand",
        )
    )
    found.append(_bundles(build_dir, "aws"))
    return found


# --- GCP ---------------------------------------------------------------------------------------

# What the caller must be allowed to do for an apply (a subset that catches a wrong role early).
GCP_PERMISSIONS = (
    "resourcemanager.projects.setIamPolicy",
    "serviceusage.services.enable",
    "iam.serviceAccounts.create",
    "cloudsql.instances.create",
    "cloudfunctions.functions.create",
    "secretmanager.secrets.create",
    "storage.buckets.create",
    "compute.globalAddresses.create",
    "servicenetworking.services.addPeering",
    "apigateway.gateways.create",
)


class GcpApi:
    """Google's REST APIs with a bearer token; `base` replaces https://SERVICE.googleapis.com with
    BASE/SERVICE (a fake in tests)."""

    def __init__(self, token: str, base: str | None = None) -> None:
        self._token = token
        self._base = base

    def call(self, service: str, path: str, body: dict[str, Any] | None = None) -> Any:
        root = f"{self._base}/{service}" if self._base else f"https://{service}.googleapis.com"
        request = urllib.request.Request(  # noqa: S310 - an https (or test loopback) URL we build
            root + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
            method="POST" if body is not None else "GET",
        )
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")


def gcp_findings(
    api: GcpApi,
    project: str,
    region: str,
    *,
    tier: str = "db-custom-1-3840",
    network: str = "default",
    build_dir: Path = PROJECT_DIR / "build",
) -> list[Finding]:
    found: list[Finding] = []

    def billing() -> Finding:
        info = api.call("cloudbilling", f"/v1/projects/{project}/billingInfo")
        if info.get("billingEnabled"):
            return Finding("billing", "ok", "enabled")
        return Finding("billing", "fail", "not enabled", "link a billing account to the project")

    def bootstrap_apis() -> Finding:
        enabled = {
            s["config"]["name"]
            for s in api.call("serviceusage", f"/v1/projects/{project}/services?filter=state:ENABLED").get(
                "services", []
            )
        }
        # The module enables the rest itself, through these two.
        needed = {"serviceusage.googleapis.com", "cloudresourcemanager.googleapis.com"}
        if missing := sorted(needed - enabled):
            return Finding(
                "apis",
                "fail",
                f"not enabled: {', '.join(missing)}",
                f"gcloud services enable {' '.join(missing)}",
            )
        return Finding("apis", "ok", f"{len(enabled)} enabled; the module enables the rest")

    def permissions() -> Finding:
        granted = set(
            api.call(
                "cloudresourcemanager",
                f"/v1/projects/{project}:testIamPermissions",
                {"permissions": list(GCP_PERMISSIONS)},
            ).get("permissions", [])
        )
        if missing := [p for p in GCP_PERMISSIONS if p not in granted]:
            return Finding(
                "permissions",
                "fail",
                f"missing: {', '.join(missing)}",
                "apply as a project owner (roles/owner)",
            )
        return Finding("permissions", "ok", f"all {len(GCP_PERMISSIONS)} the apply needs")

    def sql_tier() -> Finding:
        tiers = {t["tier"] for t in api.call("sqladmin", f"/v1/projects/{project}/tiers").get("items", [])}
        custom = tier.startswith("db-custom-")
        if custom or tier in tiers:
            return Finding("cloud sql tier", "ok", f"{tier} (ENTERPRISE edition)")
        return Finding(
            "cloud sql tier",
            "fail",
            f"{tier} not offered",
            "set db_tier to one `gcloud sql tiers list` shows",
        )

    def vpc() -> Finding:
        try:
            api.call("compute", f"/compute/v1/projects/{project}/global/networks/{network}")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return Finding(
                    "network", "fail", f"no VPC network '{network}'", "create one, or set `network`"
                )
            raise
        return Finding("network", "ok", f"'{network}' exists")

    def gateway_region() -> Finding:
        listed = api.call("apigateway", f"/v1/projects/{project}/locations").get("locations", [])
        regions = {loc["locationId"] for loc in listed}
        if region in regions:
            return Finding("api gateway region", "ok", f"{region} offers API Gateway")
        return Finding(
            "api gateway region",
            "fail",
            f"API Gateway is not offered in {region}",
            f"choose one of: {', '.join(sorted(r for r in regions if r != 'global'))}",
        )

    def secrets() -> list[Finding]:
        found = []
        for name in MODEL_SECRETS:
            secret = f"dovvy-{name}"
            try:
                versions = api.call("secretmanager", f"/v1/projects/{project}/secrets/{secret}/versions")
                live = any(v.get("state") == "ENABLED" for v in versions.get("versions", []))
                state = "set" if live else "empty"
            except urllib.error.HTTPError as exc:
                if exc.code != 404:
                    raise
                state = "missing"
            fix = f"gcloud secrets versions add {secret} --data-file=-"
            found.append(_model_secret(f"secret {secret}", name, state, fix))
        return found

    for name, check in (
        ("billing", billing),
        ("apis", bootstrap_apis),
        ("permissions", permissions),
        ("cloud sql tier", sql_tier),
        ("network", vpc),
        ("api gateway region", gateway_region),
        ("secrets", secrets),
    ):
        found += _guarded(name, check)
    found.append(
        Finding("gcloud", "ok", "on PATH")
        if shutil.which("gcloud")
        else Finding(
            "gcloud", "fail", "not on PATH: the apply calls the migrate function with it", "install it"
        )
    )
    found.append(_bundles(build_dir, "gcp"))
    return found
