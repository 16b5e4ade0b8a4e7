"""The README stays true: its commands exist and its curl examples hit routes in the contract."""

from __future__ import annotations

import re

import yaml

from dovvy.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_quick_start_is_the_two_make_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick_start
    assert "make test" in quick_start
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_dovvy_command_in_the_readme_exists() -> None:
    parser = build_parser()
    commands = re.findall(r"\.venv/bin/dovvy ([a-z-]+)(?: ([a-z]+))?(?: ([a-z]+))?", README)
    assert len(commands) >= 10
    for command, sub, third in commands:
        words = (
            [command, sub]
            if sub and command in {"eval", "bench", "leads", "sessions", "deploy", "db"}
            else [command]
        )
        if command == "deploy":
            words.append(third)
        parser.parse_args(words)  # exits (failing the test) on an unknown command


def test_curl_examples_use_routes_in_the_contract() -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    patterns = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$") for path in spec["paths"]]
    urls = re.findall(r"localhost:8080(/[^\s'\"]*)", README)
    assert len(urls) >= 6
    for url in urls:
        path = url.replace("<id>", "abc")
        assert any(p.match(path) for p in patterns) or path in {"/docs", "/openapi.yaml"}, url


# Set by the platforms (Lambda, Cloud Run, Powertools, the XDG convention), not by an operator.
PLATFORM_VARIABLES = frozenset(
    (
        "AWS_DEFAULT_REGION",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "K_SERVICE",
        "POWERTOOLS_SERVICE_NAME",
        "XDG_DATA_HOME",
    )
)


def test_every_variable_the_code_reads_is_in_the_readme() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "shared" / "dovvy").rglob("*.py"))
    read = set(re.findall(r"(?:env\.get|environ\.get|getenv)\(\s*\"([A-Z][A-Z0-9_]+)\"", code))
    read |= set(re.findall(r"environ\[\"([A-Z][A-Z0-9_]+)\"\]", code))
    missing = sorted(v for v in read - PLATFORM_VARIABLES if f"`{v}`" not in README)
    assert not missing, missing
