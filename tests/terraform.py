"""Terraform in tests: a copy of the modules, offline provider installation, and a runner."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT

INFRA = ROOT / "infra" / "terraform"
CHECKOV = ROOT / "build" / "tools" / "checkov" / "bin" / "checkov"


def contract_routes() -> dict[str, str]:
    """ "METHOD /path" -> the function its path names (`x-dovvy-function`) in openapi.yaml."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return {
        f"{method.upper()} {path}": item["x-dovvy-function"]
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def provider_mirror() -> Path:
    """The folder above `registry.terraform.io` that holds the hashicorp/aws provider."""
    pattern = "/opt/*/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*"
    found = os.environ.get("TF_PROVIDER_MIRROR") or next(iter(sorted(glob.glob(pattern))), "")
    if not found:
        raise AssertionError("no local mirror of the hashicorp/aws provider (set TF_PROVIDER_MIRROR)")
    path = Path(found)
    while path.name != "registry.terraform.io":
        path = path.parent
    return path.parent


def workspace(tmp: Path) -> Path:
    """A copy of infra/terraform (and the files its contract module reads) under `tmp`."""
    shutil.copy(ROOT / "openapi.yaml", tmp / "openapi.yaml")
    (tmp / "shared" / "dovvy").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "shared" / "dovvy" / "operations.json", tmp / "shared" / "dovvy" / "operations.json")
    shutil.copytree(
        INFRA, tmp / "infra" / "terraform", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*")
    )
    config = tmp / "terraform.rc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{provider_mirror()}"\n  }}\n}}\n'
    )
    return tmp / "infra" / "terraform"


def _env(module_dir: Path) -> dict[str, str]:
    # Every module sits at <tmp>/infra/terraform/<module>; the CLI config is <tmp>/terraform.rc.
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(module_dir.parents[2]),
        "TF_CLI_CONFIG_FILE": str(module_dir.parents[2] / "terraform.rc"),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }


def terraform(
    args: list[str], module_dir: Path, *, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["terraform", *args],
        cwd=module_dir,
        env={**_env(module_dir), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if check and result.returncode != 0:
        command = " ".join(args)
        raise AssertionError(f"terraform {command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def evaluate(module_dir: Path, expression: str) -> Any:
    """An expression's value from `terraform console` (the module must hold no resources)."""
    result = subprocess.run(
        ["terraform", "console"],
        cwd=module_dir,
        env=_env(module_dir),
        input=f"jsonencode({expression})",
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(json.loads(result.stdout.strip()))
