"""The README stays true: its commands exist and its curl examples hit routes in the contract."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from dovvy.cli import build_parser
from tests.conftest import ROOT, newcomer_environment

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
            if sub and command in {"eval", "bench", "train", "leads", "sessions", "deploy", "db", "telegram"}
            else [command]
        )
        if command == "deploy":
            words.append(third)
        if [command, sub] == ["telegram", "webhook"]:
            words += ["--url", "https://api.example/telegram/webhook"]  # required
        if command == "release":
            words = [command, sub, third, "--function", "chat", "--project", "p"]  # the required ones
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
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "K_REVISION",
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


def _documented_defaults() -> list[tuple[str, str]]:
    """(variable, default) for each row of the README's configuration table whose defaults are
    written as values: one per variable, in order."""
    pairs: list[tuple[str, str]] = []
    for line in README.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        values = re.findall(r"`([^`]*)`", cells[1])
        written_as_values = re.fullmatch(r"`[^`]*`(?:, `[^`]*`)*", cells[1])
        if names and written_as_values and len(values) == len(names):
            pairs.extend(zip(names, values, strict=True))
    return pairs


def test_the_readmes_defaults_are_the_settings_defaults() -> None:
    """Setting a variable to the default the README gives for it changes nothing: the table cannot
    drift from the settings class. (It found LLM_PROVIDERS documented as `groq,gemini`: set so, it
    requires both keys; unset, it means the providers that have one.)"""
    from dovvy.config import Settings

    pairs = _documented_defaults()
    assert len(pairs) >= 20
    unset = Settings.from_env({})
    for name, value in pairs:
        # A folder's default is the project's own folder of that name, as the README means it.
        given = str(ROOT / value) if name.endswith("_DIR") else value
        assert Settings.from_env({name: given}) == unset, f"{name}: the README says {value!r}"


def _dovvy(args: list[str], data_dir: Path) -> str:
    """A `dovvy` command as a newcomer runs it on a fresh clone: the embedded database in a new
    folder, no provider keys."""
    env = newcomer_environment(DOVVY_DATA_DIR=str(data_dir))
    done = subprocess.run(
        [sys.executable, "-m", "dovvy.cli", *args], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| ---")]


def test_the_readmes_quality_figures_are_what_the_commands_print(tmp_path: Path) -> None:
    """The README's retrieval and chat tables (and the relevance figures beside them) are the
    output of the commands it names, run on a fresh data folder: a change that moves a figure
    fails here until the README says the new one. (Both tables had gone stale.)"""
    retrieval = _dovvy(["eval", "retrieval", "--split", "test"], tmp_path)
    chat = _dovvy(["eval", "chat"], tmp_path)
    for row in _table_rows(retrieval) + _table_rows(chat):
        assert row in README, row
    for figure in re.findall(r"(\d\.\d{3}) \(of \d+\)", retrieval):
        assert figure in README, figure
    assert len(_table_rows(retrieval)) == 4
    assert len(_table_rows(chat)) == 11


def test_the_bench_commands_run_as_documented_on_a_fresh_clone(tmp_path: Path) -> None:
    """`dovvy bench chat`, a short `bench load`, `calibrate --dry-run` and a small `bench retrieval`
    from a new data folder (the README's 100,000 chunks take minutes; the path is the same). The
    other documented commands run in their own tests (test_cli, test_infra, test_preflight)."""
    assert "end to end p50 / p95" in _dovvy(["bench", "chat", "--requests", "20"], tmp_path)
    assert "| chat |" in _dovvy(["bench", "load", "--clients", "4", "--seconds", "2"], tmp_path)
    assert "test (measured):" in _dovvy(["calibrate", "--dry-run"], tmp_path)
    assert "| with the articles' words added |" in _dovvy(["bench", "search", "--rounds", "1"], tmp_path)
    out = _dovvy(["bench", "retrieval", "--chunks", "2000", "--queries", "20"], tmp_path / "synthetic")
    assert "hybrid" in out
