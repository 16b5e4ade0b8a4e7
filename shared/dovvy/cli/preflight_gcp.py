"""`dovvy deploy preflight gcp`: the Google Cloud project and region checked for a first apply,
through Google's REST APIs."""

from __future__ import annotations

import shutil
import urllib.error
from collections.abc import Callable
from pathlib import Path

from dovvy.cli.preflight import MODEL_SECRETS, Finding, bundles, guarded, model_secret
from dovvy.config import PROJECT_DIR
from dovvy.google_rest import GcpApi

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


def _billing(api: GcpApi, project: str) -> Finding:
    info = api.call("cloudbilling", f"/v1/projects/{project}/billingInfo")
    if info.get("billingEnabled"):
        return Finding("billing", "ok", "enabled")
    return Finding("billing", "fail", "not enabled", "link a billing account to the project")


def _bootstrap_apis(api: GcpApi, project: str) -> Finding:
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


def _permissions(api: GcpApi, project: str) -> Finding:
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


def _sql_tier(api: GcpApi, project: str, tier: str) -> Finding:
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


def _vpc(api: GcpApi, project: str, network: str) -> Finding:
    try:
        api.call("compute", f"/compute/v1/projects/{project}/global/networks/{network}")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return Finding("network", "fail", f"no VPC network '{network}'", "create one, or set `network`")
        raise
    return Finding("network", "ok", f"'{network}' exists")


def _gateway_region(api: GcpApi, project: str, region: str) -> Finding:
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


def _secrets(api: GcpApi, project: str) -> list[Finding]:
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
        found.append(model_secret(f"secret {secret}", name, state, fix))
    return found


def _gcloud() -> Finding:
    if shutil.which("gcloud"):
        return Finding("gcloud", "ok", "on PATH")
    return Finding(
        "gcloud", "fail", "not on PATH: the apply calls the migrate function with it", "install it"
    )


def gcp_findings(
    api: GcpApi,
    project: str,
    region: str,
    *,
    tier: str = "db-custom-1-3840",
    network: str = "default",
    build_dir: Path = PROJECT_DIR / "build",
) -> list[Finding]:
    checks: list[tuple[str, Callable[[], Finding | list[Finding]]]] = [
        ("billing", lambda: _billing(api, project)),
        ("apis", lambda: _bootstrap_apis(api, project)),
        ("permissions", lambda: _permissions(api, project)),
        ("cloud sql tier", lambda: _sql_tier(api, project, tier)),
        ("network", lambda: _vpc(api, project, network)),
        ("api gateway region", lambda: _gateway_region(api, project, region)),
        ("secrets", lambda: _secrets(api, project)),
    ]
    found = [finding for name, check in checks for finding in guarded(name, check)]
    return [*found, _gcloud(), bundles(build_dir, "gcp")]
