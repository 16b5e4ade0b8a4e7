"""Which package may import which: measuring code stays out of the domain (and of every bundle)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "shared" / "dovvy"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_only_the_cli_imports_the_measuring_code() -> None:
    """`dovvy eval` and `dovvy bench` live in dovvy.measure, which may import anything; nothing in
    the domain, the web layer or a function imports it (chat/benchmark.py imported the wiring)."""
    offenders = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if not path.is_relative_to(PACKAGE / "measure")
        and not path.is_relative_to(PACKAGE / "cli")
        and any(name == "dovvy.measure" or name.startswith("dovvy.measure.") for name in _imports(path))
    )
    assert offenders == []
    assert (PACKAGE / "measure" / "coldstart.py").is_file()  # the rule has something to hold
