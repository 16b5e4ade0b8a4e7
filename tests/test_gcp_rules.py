"""Rules Google Cloud enforces at apply time or at first use that no offline tool here checks (the
schema check in test_terraform_gcp_schema.py knows names, not these). Each names its source."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from dovvy.cli.lambda_python import PYTHON_VERSION
from tests.terraform import INFRA, terraform
from tests.terraform_schema import Block, Body, parse

GCP = INFRA / "gcp"


def _blocks() -> list[Block]:
    return [b for path in sorted(GCP.glob("*.tf")) for b in parse(path.read_text(), path.name).blocks]


def _resources(kind: str) -> Iterator[Block]:
    return (b for b in _blocks() if b.type == "resource" and b.labels[0] == kind)


def _nested(body: Body, name: str) -> Body:
    (block,) = [b for b in body.blocks if b.type == name]
    return block.body


def _text(body: Body, name: str) -> str:
    attribute = body.attribute(name)
    assert attribute is not None, name
    return attribute.text


def _variable_default(name: str) -> str:
    (variable,) = [b for b in _blocks() if b.type == "variable" and b.labels == [name]]
    return _text(variable.body, "default").strip('"')


def _tier_fits(edition: str, tier: str) -> bool:
    # Cloud SQL docs, "Introduction to Cloud SQL editions": Enterprise Plus runs only the
    # performance-optimized machine series; Enterprise every other tier.
    return tier.startswith("db-perf-optimized-") is (edition == "ENTERPRISE_PLUS")


def test_cloud_sql_names_an_edition_that_takes_its_tier() -> None:
    """PostgreSQL 16+ defaults to ENTERPRISE_PLUS, which refuses the db-custom tier we default to."""
    (instance,) = _resources("google_sql_database_instance")
    settings = _nested(instance.body, "settings")
    assert _text(settings, "edition") == "var.db_edition"
    assert _text(settings, "tier") == "local.sized.db_tier"
    assert not _tier_fits("ENTERPRISE_PLUS", "db-custom-1-3840")  # the old default pairing
    conditions = [_text(p.body, "condition") for p in _nested(instance.body, "lifecycle").blocks]
    assert any("var.db_edition" in c and "local.sized.db_tier" in c for c in conditions)


def test_the_vpc_connector_has_an_instance_range() -> None:
    """The API refuses a connector with neither max_instances nor max_throughput (gcloud fills one in;
    the provider sends none), and one with both."""
    (connector,) = _resources("google_vpc_access_connector")
    given = {a.name for a in connector.body.attributes}
    assert len(given & {"max_instances", "max_throughput"}) == 1
    assert len(given & {"min_instances", "min_throughput"}) == 1


@pytest.mark.parametrize("function", [b.labels[1] for b in _resources("google_cloudfunctions2_function")])
def test_every_function_builds_as_our_build_account_on_the_runtimes_python(function: str) -> None:
    """New projects' default Cloud Build account lacks the roles a gen2 build needs (Cloud Run
    functions docs, "custom build service account"); the runtime is the bundles' Python."""
    (block,) = [b for b in _resources("google_cloudfunctions2_function") if b.labels[1] == function]
    build = _nested(block.body, "build_config")
    assert _text(build, "service_account") == "google_service_account.build.id"
    assert _text(build, "runtime") == f'"python{PYTHON_VERSION.replace(".", "")}"'
    depends = _text(block.body, "depends_on")
    assert "google_project_iam_member.build" in depends
    assert "google_secret_manager_secret_iam_member.reads" in depends  # secrets read at start
    if any(b.type == "event_trigger" for b in block.body.blocks):
        # Eventarc's agent and the trigger's grants take minutes on a new project.
        assert "time_sleep.eventarc_agent" in depends


def test_the_eventarc_wait_covers_every_grant_a_trigger_is_checked_against() -> None:
    (wait,) = [r for r in _resources("time_sleep") if r.labels[1] == "eventarc_agent"]
    depends = _text(wait.body, "depends_on")
    for grant in ("eventarc_agent", "storage_publishes_events", "receives_events"):
        assert f"google_project_iam_member.{grant}" in depends
    assert re.fullmatch(r'"\d+s"', _text(wait.body, "create_duration"))


def test_project_iam_waits_for_the_apis_it_goes_through() -> None:
    """Project IAM bindings go through Cloud Resource Manager, off on a new project."""
    (services,) = _resources("google_project_service")
    assert "cloudresourcemanager.googleapis.com" in _text(services.body, "for_each")
    for member in _resources("google_project_iam_member"):
        assert "google_project_service.used" in _text(member.body, "depends_on"), member.labels


def test_lead_email_is_refused_on_gcp() -> None:
    """It goes through Amazon SES, and the GCP functions have no AWS credentials or region."""
    (variable,) = [b for b in _blocks() if b.type == "variable" and b.labels == ["lead_email_to"]]
    assert _text(_nested(variable.body, "validation"), "condition") == 'var.lead_email_to==""'


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each profile's sizes, as the module computes them (its variables and profile.tf alone need
    no provider, so `terraform console` can evaluate them here)."""
    module = tmp_path_factory.mktemp("gcp-profile")
    for name in ("variables.tf", "profile.tf"):
        shutil.copy(GCP / name, module / name)
    terraform(["init", "-backend=false", "-no-color"], module)
    sized = {}
    for profile in ("production", "development"):
        result = subprocess.run(
            ["terraform", "console", "-var", "project_id=p", "-var", f"profile={profile}"],
            cwd=module,
            input="jsonencode(local.sized)",
            capture_output=True,
            text=True,
            check=True,
        )
        sized[profile] = json.loads(json.loads(result.stdout.strip()))
    return sized


@pytest.mark.parametrize("profile", ["production", "development"])
def test_each_profile_fits_its_database(profiles: dict[str, dict[str, Any]], profile: str) -> None:
    """Every pooled connection the functions may hold at their limits, the ingest functions' (3
    event types x 5 instances), jobs' and migrate's, under max_connections less the 3 slots
    PostgreSQL keeps for superusers and 5 spare; and a tier the edition takes."""
    sized = profiles[profile]
    http = sum(sized["max_instances"].values()) * sized["concurrency"]
    assert http + 3 * 5 + 1 + 1 <= sized["db_max_connections"] - 3 - 5
    assert _tier_fits(_variable_default("db_edition"), sized["db_tier"])


def test_the_development_profile_is_smaller(profiles: dict[str, dict[str, Any]]) -> None:
    production, development = profiles["production"], profiles["development"]
    assert (production["availability"], development["availability"]) == ("REGIONAL", "ZONAL")
    assert development["deletion_protection"] is False
    assert sum(development["max_instances"].values()) < sum(production["max_instances"].values())


def test_only_migrate_signs_in_as_the_owner() -> None:
    """Every other function gets the app role's URL (rows only, created by migrate in SQL: a user
    made through Cloud SQL's API would join cloudsqlsuperuser)."""
    (secrets_locals,) = [
        b for path in [GCP / "secrets.tf"] for b in parse(path.read_text()).blocks if b.type == "locals"
    ][:1]
    injected = _text(secrets_locals.body, "injected")
    assert (
        'fn=="migrate"?{DATABASE_URL="database-owner-url",DATABASE_APP_PASSWORD="database-app-password"}'
        in (injected)
    )
    assert ':{DATABASE_URL="database-url"}' in injected
    (migrate,) = [b for b in _resources("google_cloudfunctions2_function") if b.labels[1] == "migrate"]
    env = _text(_nested(migrate.body, "service_config"), "environment_variables")
    assert "DATABASE_APP_USER=local.app_db_user" in env
    versions = {b.labels[1]: b for b in _resources("google_secret_manager_secret_version")}
    assert "${local.app_db_user}:${urlencode(random_password.app_db.result)}" in _text(
        versions["database_url"].body, "secret_data"
    )
    assert "${google_sql_user.app.name}:" in _text(versions["database_owner_url"].body, "secret_data")


def test_ingest_is_told_the_bucket_its_events_come_from() -> None:
    """Without CONTENT_BUCKET the ingest function refuses to start (dovvy/needs.py): an event names
    its bucket, and one naming another must not add or delete articles. The AWS module's is checked
    by starting the bundle with the environment the apply gave it (test_terraform_aws.py)."""
    (ingest,) = [b for b in _resources("google_cloudfunctions2_function") if b.labels[1] == "ingest"]
    env = _text(_nested(ingest.body, "service_config"), "environment_variables")
    assert "CONTENT_BUCKET=google_storage_bucket.content.name" in env
