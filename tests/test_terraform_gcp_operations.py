"""Releases and alerts in the GCP module, read from its files (the google providers cannot run here;
tests/test_terraform_gcp_schema.py holds every argument to their schema): revisions deployed
without traffic for `dovvy release gcp` to move, an alert policy per threshold of
shared/dovvy/operations.json for every function that answers requests, each telling the configured
channels, and one dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.terraform_schema import Block, Body, parse

GCP = ROOT / "infra" / "terraform" / "gcp"


def _resources() -> dict[tuple[str, str], Body]:
    found = {}
    for path in sorted(GCP.glob("*.tf")):
        for block in parse(path.read_text(), path.name).blocks:
            if block.type == "resource":
                found[(block.labels[0], block.labels[1])] = block.body
    return found


RESOURCES = _resources()


def _text(body: Body, name: str) -> str:
    attribute = body.attribute(name)
    assert attribute is not None, name
    return attribute.text


def _blocks(body: Body, kind: str) -> list[Block]:
    return [b for b in body.blocks if b.type == kind]


def test_a_new_revision_of_an_http_function_starts_with_no_traffic() -> None:
    http = RESOURCES[("google_cloudfunctions2_function", "http")]
    (service,) = _blocks(http, "service_config")
    assert _text(service.body, "all_traffic_on_latest_revision") == "false"
    # The event functions are not released in stages: they keep all traffic on the latest.
    for name in ("ingest", "jobs", "migrate"):
        (config,) = _blocks(RESOURCES[("google_cloudfunctions2_function", name)], "service_config")
        assert config.body.attribute("all_traffic_on_latest_revision") is None, name


@pytest.mark.parametrize(
    ("policy", "threshold"),
    [
        ("error_rate", "local.alerts.error_rate"),
        ("p95", "local.alerts.p95_ms[each.key]"),
        ("db_connections", "local.alerts.db_connections_fraction"),
        ("ingest_failures", "local.alerts.dead_letters"),
    ],
)
def test_each_alert_reads_its_threshold_from_the_shared_file_and_tells_the_channels(
    policy: str, threshold: str
) -> None:
    body = RESOURCES[("google_monitoring_alert_policy", policy)]
    assert _text(body, "notification_channels") == "local.channels"
    (condition,) = _blocks(body, "conditions")
    written = "".join(
        a.text for inner in condition.body.blocks for a in inner.body.attributes
    )  # the condition's query or threshold
    assert threshold.replace(" ", "") in written


def _local(name: str) -> str:
    """A local value's expression as written, without spaces."""
    for path in sorted(GCP.glob("*.tf")):
        for block in parse(path.read_text(), path.name).blocks:
            if block.type == "locals" and block.body.attribute(name) is not None:
                return _text(block.body, name)
    raise AssertionError(f"no local {name}")


def test_the_alerts_on_log_based_metrics_read_their_thresholds_from_the_shared_file() -> None:
    body = RESOURCES[("google_monitoring_alert_policy", "log_metric")]
    assert _text(body, "for_each") == "local.log_metric_alerts"
    assert _text(body, "notification_channels") == "local.channels"
    (condition,) = _blocks(body, "conditions")
    (threshold,) = _blocks(condition.body, "condition_threshold")
    assert _text(threshold.body, "threshold_value") == "each.value.threshold"
    alerts = _local("log_metric_alerts")
    waiting, budget = alerts.split("model-budget=")
    assert "threshold=local.alerts.lead_waiting_minutes*60" in waiting
    assert "metric=google_logging_metric.lead_waiting.name" in waiting
    assert "threshold=local.alerts.model_budget_fraction" in budget
    assert "metric=google_logging_metric.budget_used.name" in budget


def test_the_per_function_alerts_cover_every_function_that_answers_requests() -> None:
    for policy in ("error_rate", "p95"):
        assert _text(RESOURCES[("google_monitoring_alert_policy", policy)], "for_each") == "local.released"
    monitoring = (GCP / "monitoring.tf").read_text()
    assert "released = module.contract.http_functions" in " ".join(monitoring.split())
    assert "alerts   = module.contract.operations.alerts" in monitoring
    # Rates and percentiles are judged only over enough requests: an idle system raises nothing.
    assert "min_requests" in monitoring.split("enough")[1].split("\n")[0]
    for policy in ("error_rate", "p95"):
        (condition,) = _blocks(RESOURCES[("google_monitoring_alert_policy", policy)], "conditions")
        (promql,) = _blocks(condition.body, "condition_prometheus_query_language")
        assert "local.enough[each.key]" in _text(promql.body, "query"), policy


def test_alerts_go_by_email_or_webhook_as_configured() -> None:
    email = RESOURCES[("google_monitoring_notification_channel", "email")]
    webhook = RESOURCES[("google_monitoring_notification_channel", "webhook")]
    assert _text(email, "type") == '"email"'
    assert _text(webhook, "type") == '"webhook_tokenauth"'
    assert _text(email, "count") == 'var.alert_email!=""?1:0'
    assert _text(webhook, "count") == 'var.alert_webhook_url!=""?1:0'


def test_one_dashboard_with_the_chat_stages() -> None:
    dashboard = (GCP / "dashboard.tf").read_text()
    assert ("google_monitoring_dashboard", "main") in RESOURCES
    for chart in (
        "Requests per second",
        "p95 latency",
        "Cold starts",
        "Database connections",
        "Model tokens",
    ):
        assert chart in dashboard
    stage = RESOURCES[("google_logging_metric", "stage")]
    assert _text(stage, "for_each") == "toset(local.stages)"
    stages = _text(parse((GCP / "monitoring.tf").read_text()).blocks[0].body, "stages")
    assert stages == '["session","embed","retrieve","generate","save"]'


def test_the_monitoring_apis_are_switched_on() -> None:
    versions = Path(GCP / "versions.tf").read_text()
    assert '"monitoring.googleapis.com"' in versions
    assert '"logging.googleapis.com"' in versions


def test_each_new_service_is_pinned_so_later_revisions_wait_for_their_release() -> None:
    pin = RESOURCES[("terraform_data", "pin_traffic")]
    assert _text(pin, "for_each") == "var.pin_traffic?module.contract.http_functions:{}"
    (provisioner,) = _blocks(pin, "provisioner")
    assert "release gcp promote --function ${each.key}" in _text(provisioner.body, "command")
    # Once per service: replaced only when the function itself is.
    assert _text(pin, "triggers_replace") == "[google_cloudfunctions2_function.http[each.key].id]"


def test_alerts_on_log_based_metrics_wait_until_monitoring_knows_them() -> None:
    body = RESOURCES[("google_monitoring_alert_policy", "log_metric")]
    assert _text(body, "depends_on") == "[time_sleep.log_metrics]"
    assert "ingest-.*" in (GCP / "monitoring.tf").read_text()
