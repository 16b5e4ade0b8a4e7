"""Modules and functions small enough to read: no module in `shared/dovvy` over 300 lines and no
function over 50, data and migrations aside."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "shared" / "dovvy"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50
# Modules that are data written as Python: tables read by code elsewhere.
DATA = {"chat/symptoms.py": "the English safety lexicon: pattern tables per category and signal"}


def too_long(package: Path) -> list[str]:
    """Every module over MAX_MODULE_LINES and function over MAX_FUNCTION_LINES, as 'file: what'."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES and relative not in DATA:
            found.append(f"{relative}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{relative}: {node.name} is {length} lines")
    return found


def test_no_module_or_function_is_too_long() -> None:
    assert too_long(PACKAGE) == []


def test_the_data_modules_are_still_data() -> None:
    """An exemption stays honest: a data module holds no function over a few lines."""
    for relative in DATA:
        tree = ast.parse((PACKAGE / relative).read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        assert all((f.end_lineno or f.lineno) - f.lineno < 5 for f in functions), relative


def test_the_check_sees_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def f() -> None:\n{body}\n" + "\n" * MAX_MODULE_LINES)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "old.py").write_text(f"def g() -> None:\n{body}\n")
    assert too_long(tmp_path) == [
        f"long.py: {MAX_MODULE_LINES + MAX_FUNCTION_LINES + 1} lines",
        "long.py: f is 51 lines",
    ]
