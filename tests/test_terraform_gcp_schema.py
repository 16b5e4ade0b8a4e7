"""The GCP module's resources and data sources against the google providers' schema (6.50.0, read
from their cdktf bindings: tests/terraform_schema.py), and the check shown to catch each kind of
mistake by putting it into a copy of the module."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.terraform import terraform, workspace
from tests.terraform_schema import (
    Body,
    HclError,
    ProviderSchema,
    check_module,
    from_terraform,
    load_all,
    parse,
)

INFRA = ROOT / "infra" / "terraform"
GCP = INFRA / "gcp"
SCHEMAS = ROOT / "build" / "tools" / "provider-schema"
GOOGLE = ("hashicorp/google", "hashicorp/google-beta")


@pytest.fixture(scope="module")
def schemas() -> dict[str, ProviderSchema]:
    assert list(SCHEMAS.glob("*.whl")), "the providers' bindings are downloaded by `make infra-tools`"
    return load_all(SCHEMAS)


def _copy(tmp_path: Path) -> Path:
    """infra/terraform under tmp_path (the GCP module calls ../contract); the GCP module's folder."""
    shutil.copytree(
        INFRA, tmp_path / "terraform", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", ".build")
    )
    return tmp_path / "terraform" / "gcp"


def _problems(module: Path, schemas: dict[str, ProviderSchema]) -> list[str]:
    # Without the file and line, which the copy changes.
    return [p.split(": ", 1)[1] for p in check_module(module, schemas).problems]


def test_the_schema_is_of_the_providers_the_module_asks_for(schemas: dict[str, ProviderSchema]) -> None:
    versions = (GCP / "versions.tf").read_text()
    lock = (ROOT / "infra" / "provider-schema.lock").read_text()
    for source in GOOGLE:
        local = source.split("/")[1]
        constraint = re.search(rf'{local} = {{\s*source\s*= "{source}"\s*version\s*= "~> (\d+)\.0"', versions)
        assert constraint, f"{source} in versions.tf"
        schema = schemas[source]
        assert schema.version.split(".")[0] == constraint.group(1), (source, schema.version)
        assert f"{schema.package} --hash=sha256:" in lock
        assert len(schema.resource) > 1000
        assert len(schema.data) > 300


def test_the_gcp_module_matches_the_providers_schema(schemas: dict[str, ProviderSchema]) -> None:
    report = check_module(GCP, schemas)
    assert report.problems == []
    # Every google block was checked, each once; what is not checked belongs to other providers.
    written = [
        f"{'data.' if kind == 'data' else ''}{tf_type}.{name}"
        for path in [*GCP.glob("*.tf"), *GCP.glob("*/*.tf")]
        for kind, tf_type, name in re.findall(
            r'^(resource|data) "(google_\w+)" "(\w+)"', path.read_text(), re.M
        )
    ]
    assert sorted(report.checked) == sorted(written)
    assert len(written) == 49
    assert all(not entry.startswith("google_") for entry in report.unchecked), report.unchecked


# (file, text, replacement, every problem the check must then report)
MISTAKES = {
    "misspelled nested argument": (
        "database.tf",
        "ipv4_enabled    = false",
        "ipv4_enable     = false",
        "google_sql_database_instance.main.settings.ip_configuration: unsupported argument 'ipv4_enable'",
    ),
    "misspelled argument in a dynamic block's content": (
        "functions.tf",
        "key        = secret_environment_variables.key",
        "kee        = secret_environment_variables.key",
        "google_cloudfunctions2_function.http.service_config.secret_environment_variables: unsupported argument 'kee'",
        # `key` is required: misspelling it also leaves it out.
        "google_cloudfunctions2_function.http.service_config.secret_environment_variables: missing required argument 'key'",
    ),
    "misspelled top-level argument": (
        "functions.tf",
        'display_name = "DovvyBuddy ${each.key} function"',
        'displayname = "DovvyBuddy ${each.key} function"',
        "google_service_account.fn: unsupported argument 'displayname'",
    ),
    "missing required argument": (
        "functions.tf",
        '  role       = "roles/pubsub.publisher"\n',
        "",
        "google_project_iam_member.storage_publishes_events: missing required argument 'role'",
    ),
    "missing required nested argument": (
        "functions.tf",
        '      attribute = "bucket"\n',
        "",
        "google_cloudfunctions2_function.ingest.event_trigger.event_filters: missing required argument 'attribute'",
    ),
    "missing required block": (
        "secrets.tf",
        "  replication {\n    auto {}\n  }\n",
        "",
        "google_secret_manager_secret.app: missing required block 'replication'",
    ),
    "argument written as a block": (
        "functions.tf",
        'environment_variables         = merge(local.env["jobs"], { DB_POOL_SIZE = "1" })\n\n    dynamic',
        'environment_variables {\n      DB_POOL_SIZE = "1"\n    }\n\n    dynamic',
        "google_cloudfunctions2_function.jobs.service_config: 'environment_variables' is an argument,"
        " written as a block (write environment_variables = ...)",
    ),
    "block written as an argument": (
        "storage.tf",
        "  versioning {\n    enabled = true\n  }\n  lifecycle_rule",
        "  versioning = { enabled = true }\n  lifecycle_rule",
        "google_storage_bucket.content: 'versioning' is a block, written as an argument (versioning = ...)",
    ),
    "dynamic block of a name the schema lacks": (
        "functions.tf",
        'dynamic "secret_environment_variables" {\n      for_each = local.injected["jobs"]',
        'dynamic "secret_environment_variable" {\n      for_each = local.injected["jobs"]',
        "google_cloudfunctions2_function.jobs.service_config: dynamic 'secret_environment_variable':"
        " 'secret_environment_variable' is not a block here",
    ),
    "beta-only resource without its provider": (
        "gateway.tf",
        '  provider   = google-beta\n  api_id     = "${var.name}-api"',
        '  api_id     = "${var.name}-api"',
        "google_api_gateway_api.api: hashicorp/google 6.50.0 has no resource type 'google_api_gateway_api'",
    ),
    "misspelled lifecycle argument": (
        "gateway.tf",
        "create_before_destroy = true",
        "create_before_destroyed = true",
        "google_api_gateway_api_config.api.lifecycle: unsupported argument 'create_before_destroyed'",
    ),
    "data source argument misspelled": (
        "functions.tf",
        'data "google_storage_project_service_account" "gcs" {}',
        'data "google_storage_project_service_account" "gcs" {\n  user_projects = var.project_id\n}',
        "data.google_storage_project_service_account.gcs: unsupported argument 'user_projects'",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_mistake_put_into_the_module_is_reported(
    mistake: str, schemas: dict[str, ProviderSchema], tmp_path: Path
) -> None:
    filename, text, replacement, *expected = MISTAKES[mistake]
    module = _copy(tmp_path)
    path = module / filename
    source = path.read_text()
    assert text in source, f"{filename} no longer holds {text!r}: update the test"
    path.write_text(source.replace(text, replacement, 1))
    assert _problems(module, schemas) == expected


def test_a_problem_names_the_file_and_line(schemas: dict[str, ProviderSchema], tmp_path: Path) -> None:
    module = _copy(tmp_path)
    path = module / "database.tf"
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "ipv4_enabled" in line)
    path.write_text(path.read_text().replace("ipv4_enabled", "ipv4_enable"))
    [problem] = check_module(module, schemas).problems
    assert problem.startswith(f"{path}:{number}: ")


META = """
terraform {
  required_providers {
    google = { source = "hashicorp/google", version = "~> 6.0" }
    beta   = { source = "hashicorp/google-beta" }
  }
}

resource "google_pubsub_topic" "each" {
  for_each   = toset(["a", "b"])
  name       = each.key
  depends_on = [google_pubsub_topic.counted]
  labels     = { for k in ["x"] : k => "${k}-}" }
  lifecycle {
    create_before_destroy = true
    prevent_destroy       = false
    ignore_changes        = [labels]
    replace_triggered_by  = [google_pubsub_topic.counted]
    precondition {
      condition     = length(each.key) > 0
      error_message = "Named."
    }
    postcondition {
      condition     = self.name != ""
      error_message = <<-EOT
        A heredoc with a } and resource "x" "y" {
      EOT
    }
  }
  provisioner "local-exec" {
    command    = "echo %{if true}yes%{endif} ${jsonencode({ a = "}" })}"
    on_failure = continue
    connection {
      type = "ssh"
    }
  }
  connection {
    host = "example" # any argument: it is the provisioner's
  }
}

resource "google_pubsub_topic" "counted" {
  count    = 1
  provider = beta.west
  name     = "t-${count.index}" /* a comment { */
}

resource "google_storage_bucket" "dynamic" {
  name     = "b"
  location = "EU"
  dynamic "lifecycle_rule" {
    for_each = [1, 2]
    iterator = rule
    content {
      action { type = "Delete" }
      condition {
        age = rule.value
      }
    }
  }
  dynamic "cors" {
    for_each = []
    content {
      origin = ["https://example.com"]
    }
  }
}

data "google_storage_project_service_account" "gcs" {
  count = 1
  lifecycle {
    postcondition {
      condition     = self.email_address != ""
      error_message = "Found."
    }
  }
}

resource "random_id" "other" {
  not_a_google_argument = true
}
"""


def test_meta_arguments_and_dynamic_blocks_are_understood(
    schemas: dict[str, ProviderSchema], tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(META)
    report = check_module(tmp_path, schemas)
    assert report.problems == []
    assert sorted(report.checked) == [
        "data.google_storage_project_service_account.gcs",
        "google_pubsub_topic.counted",
        "google_pubsub_topic.each",
        "google_storage_bucket.dynamic",
    ]
    assert report.unchecked == ["random_id.other (hashicorp/random)"]


@pytest.mark.parametrize(
    ("text", "replacement", "expected"),
    [
        (
            "    iterator = rule\n",
            "    iterator = rule\n    for_eachh = []\n",
            "dynamic 'lifecycle_rule' needs",
        ),
        ("      action {", "      actions {", "lifecycle_rule: unsupported block type 'actions'"),
        ("      action { type", "      action { typ", "lifecycle_rule.action: unsupported argument 'typ'"),
        (
            "        age = rule.value",
            "        ages = rule.value",
            "lifecycle_rule.condition: unsupported argument",
        ),
        (
            "  count = 1\n  lifecycle",
            "  count = 1\n  for_each = {}\n  lifecycle",
            "count and for_each together",
        ),
        (
            "  for_each   = toset",
            "  for_each = {}\n  count = 1\n  for_eachh = toset",
            "unsupported argument 'for_eachh'",
        ),
        (
            "    postcondition {\n      condition     = self.email",
            "    create_before_destroy = true\n    postcondition {\n      condition     = self.email",
            "gcs.lifecycle: unsupported argument 'create_before_destroy'",
        ),
        (
            '      error_message = "Named."\n',
            "",
            "each.lifecycle.precondition: missing required argument 'error_message'",
        ),
        (
            "  provider = beta.west\n",
            "  provider = beta.west\n  lifecycle {}\n  lifecycle {}\n",
            "a second lifecycle block",
        ),
    ],
)
def test_mistakes_around_meta_arguments_are_reported(
    text: str, replacement: str, expected: str, schemas: dict[str, ProviderSchema], tmp_path: Path
) -> None:
    assert text in META
    (tmp_path / "main.tf").write_text(META.replace(text, replacement, 1))
    problems = check_module(tmp_path, schemas).problems
    assert any(expected in p for p in problems), problems


def test_names_cdktf_renames_are_read_back_as_terraform_writes_them(
    schemas: dict[str, ProviderSchema],
) -> None:
    google = schemas["hashicorp/google"]
    # cdktf's names for these: buildAttribute, detectMd5Hash, sourceMd5Hash, vlanTag8021Q, fetchhDetails.
    assert "build" in google.resource["google_cloudbuild_trigger"]["blocks"]
    assert {"detect_md5hash", "source_md5hash"} <= set(
        google.resource["google_storage_bucket_object"]["attributes"]
    )
    assert "vlan_tag8021q" in google.resource["google_compute_interconnect_attachment"]["attributes"]
    ethereum = google.resource["google_blockchain_node_engine_blockchain_nodes"]["blocks"][
        "ethereum_details"
    ][1]
    assert "geth_details" in ethereum["blocks"]
    # Documented badly in the assembly (their doc comments lost the registry link); named by the code.
    assert {"port_range", "ports"} <= set(google.resource["google_compute_forwarding_rule"]["attributes"])
    # Required and optional, attribute and block, at depth.
    bucket = google.resource["google_storage_bucket"]
    assert bucket["attributes"]["name"] is True
    assert bucket["attributes"]["force_destroy"] is False
    rule = bucket["blocks"]["lifecycle_rule"]
    assert rule[0] is False
    assert rule[1]["blocks"]["action"][0] is True
    assert rule[1]["blocks"]["action"][1]["attributes"]["type"] is True


def _shape(text: str) -> list[tuple[str, str, str]]:
    """(the block's path, argument, its text) for every argument, the outer body's first."""

    def walk(body: Body, path: str) -> list[tuple[str, str, str]]:
        found = [(path, a.name, a.text) for a in body.attributes]
        for block in body.blocks:
            found += walk(block.body, "/".join(filter(None, [path, block.type, *block.labels])))
        return found

    return walk(parse(text), "")


def test_the_reader_keeps_strings_heredocs_and_comments_out_of_the_structure() -> None:
    text = """
# resource "commented" "out" {
a = "x ${ {b = "}"}["b"] } %{ if c }{%{ endif } $${not} \\" {"
b = <<-EOT
  } resource "in" "heredoc" {
  EOT
c = [ # a list over lines
  { d = 1 },
]
/* block { */ e { f = 2 }
g "one" two {}
h = x == y ? 1 : (
  2
)
"""
    assert _shape(text) == [
        ("", "a", '"x ${ {b = "}"}["b"] } %{ if c }{%{ endif } $${not} \\" {"'),
        ("", "b", "<<-EOT"),
        ("", "c", "[{d=1},]"),
        ("", "h", "x==y?1:(2)"),
        ("e", "f", "2"),
    ]
    assert [(b.type, b.labels) for b in parse(text).blocks] == [("e", []), ("g", ["one", "two"])]


@pytest.mark.parametrize(
    "text",
    ['a = "open\n', "a = (1\n", "b {\n", "a = <<EOT\nno end\n", "a = ]\n", "= 1\n", "a\n"],
)
def test_the_reader_refuses_what_is_not_hcl(text: str) -> None:
    with pytest.raises(HclError):
        parse(text)


# (file, text, replacement): the same kinds of mistake, in the AWS module, in resources that do not
# depend on each other (`terraform validate` skips what depends on a resource in error).
AWS_MISTAKES = [
    ("functions.tf", "    subnet_ids         = aws_subnet", "    subnet_id          = aws_subnet"),
    ("functions.tf", '  function_name = "${var.name}-${each.key}"\n', ""),
    (
        "functions.tf",
        '  tracing_config {\n    mode = "Active"\n  }',
        '  tracing_config = { mode = "Active" }',
    ),
    ("functions.tf", '  architectures                  = ["x86_64"]', "  architectures {\n  }"),
    ("functions.tf", "      target_arn = aws_sqs_queue", "      target     = aws_sqs_queue"),
    ("api.tf", "retention_in_days = local.sized.log_days", "retention_in_days {\n  }"),
]


@pytest.mark.slow
def test_the_check_agrees_with_terraform_validate_on_the_aws_module(tmp_path: Path) -> None:
    """The one provider installed here: its own schema (`terraform providers schema`), the check and
    `terraform validate` find the same problems, at the same lines, and none in the real module."""
    module = workspace(tmp_path) / "aws"
    terraform(["init", "-backend=false", "-no-color"], module)
    lock = parse((module / ".terraform.lock.hcl").read_text())
    [pinned] = [b for b in lock.blocks if b.labels == ["registry.terraform.io/hashicorp/aws"]]
    version = pinned.body.attribute("version")
    assert version is not None
    dumped = json.loads(terraform(["providers", "schema", "-json"], module).stdout)
    aws = {"hashicorp/aws": from_terraform(dumped, "hashicorp/aws", version.text.strip('"'))}
    report = check_module(module, aws)
    assert report.problems == []
    assert len(report.checked) > 60

    for filename, text, replacement in AWS_MISTAKES:
        path = module / filename
        assert text in path.read_text(), f"{filename} no longer holds {text!r}: update the test"
        path.write_text(path.read_text().replace(text, replacement, 1))
    validated = terraform(["validate", "-json", "-no-color"], module, check=False)
    diagnostics = json.loads(validated.stdout)["diagnostics"]
    by_terraform = sorted(
        (d["range"]["filename"], d["range"]["start"]["line"]) for d in diagnostics if d["severity"] == "error"
    )
    by_check = sorted(
        (Path(where).name, int(line))
        for where, line, _ in (p.split(":", 2) for p in check_module(module, aws).problems)
    )
    assert by_check == by_terraform
    assert len(by_check) == 8  # the six mistakes; two misspell required arguments, so leave them out too
