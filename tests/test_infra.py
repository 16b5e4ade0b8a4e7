"""Infrastructure and packaging held to the contract: every operation routed, files well formed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dovvy.gateway import Gateway
from tests.conftest import ROOT

TERRAFORM = ROOT / "infra" / "terraform"


def contract_operations() -> set[str]:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def terraform_routes() -> dict[str, str]:
    text = (TERRAFORM / "locals.tf").read_text()
    match = re.search(r"routes = \{\n(.*?)\n  \}", text, re.S)
    assert match is not None
    return dict(re.findall(r'"([A-Z]+ /[^"]*)"\s*=\s*"(\w+)"', match.group(1)))


def test_cloud_gateways_route_every_operation_in_the_contract() -> None:
    assert set(terraform_routes()) == contract_operations()


def test_cloud_and_local_gateways_send_each_route_to_the_same_function() -> None:
    local = Gateway({}, fallback=None)  # type: ignore[arg-type]
    for route, function in terraform_routes().items():
        path = route.split(" ", 1)[1].replace("{sessionId}", "abc")
        assert local.function_for(path) == function, route


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_terraform_is_formatted() -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(TERRAFORM)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_packaged_functions_carry_code_and_pinned_requirements(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package_functions.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(result.stdout.split()) == 4
    for name in ("session", "lead", "chat", "ingest"):
        folder = tmp_path / name
        assert (folder / "main.py").is_file()
        assert (folder / "dovvy" / "db" / "pool.py").is_file()
        requirements = (folder / "requirements.txt").read_text().splitlines()
        assert all("==" in line for line in requirements)
        assert not any(line.startswith(("pixeltable", "uvicorn", "alembic")) for line in requirements)
    # A packaged entry file imports on its own (the packaged dovvy comes first on the path).
    check = subprocess.run(
        [sys.executable, "-c", "import main, dovvy; print(dovvy.__file__)"],
        cwd=tmp_path / "lead",
        capture_output=True,
        text=True,
        check=True,
        env={"DATABASE_URL": "postgresql://u@127.0.0.1/x", "PATH": "", "PYTHONPATH": str(tmp_path / "lead")},
    )
    assert check.stdout.strip().startswith(str(tmp_path / "lead"))
