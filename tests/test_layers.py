"""Which part of `shared/dovvy` may import which: each layer imports only its own and those below.

    tools     cli, measure, gateway, release     what a developer or an operator runs
    edges     api, web, function_apps, *_function, jobs, event_targets, storage_events
                                                 HTTP and cloud events in, responses out
    wiring    runtime, needs, bootstrap, seed    builds the parts from the configuration
    domain    chat, knowledge, lead_intake, lead_fields, limits, notify, diver, conversation,
              catalogue, sessions, telegram
    adapters  db, providers, object_store, telegram_api, google_rest
                                                 PostgreSQL, the model providers, the buckets, Telegram,
                                                 Google's REST APIs
    base      config, env_values, errors, shape, text, logs, error_tracking, secrets, passages,
              profile_limits, splits, once

docs/architecture.md draws the same picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "shared" / "dovvy"

LAYERS = {  # highest first
    "tools": ("cli", "measure", "gateway", "release"),
    "edges": (
        *("api", "web", "function_apps", "ingest_function", "migrate_function", "jobs"),
        *("event_targets", "storage_events"),
    ),
    "wiring": ("runtime", "needs", "bootstrap", "seed"),
    "domain": (
        *("chat", "knowledge", "lead_intake", "limits", "notify"),
        *("diver", "conversation", "catalogue", "sessions", "telegram", "lead_fields"),
    ),
    "adapters": ("db", "providers", "object_store", "telegram_api", "google_rest"),
    "base": (
        *("config", "errors", "shape", "text", "logs", "secrets", "passages", "profile_limits", "splits"),
        *("once", "env_values", "error_tracking"),
    ),
}
_HEIGHT = {part: len(LAYERS) - i for i, parts in enumerate(LAYERS.values()) for part in parts}
_LAYER = {part: layer for layer, parts in LAYERS.items() for part in parts}


def _part(module: str) -> str | None:
    names = module.split(".")
    return names[1] if len(names) > 1 and names[0] == "dovvy" else None


def wrong_way(package: Path) -> list[str]:
    """Every import of a higher layer's module, as 'file: module (layer -> layer)'."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        part = relative.parts[0].removesuffix(".py")
        if part == "__init__" or "migrations" in relative.parts:
            continue
        assert part in _HEIGHT, f"{relative}: in no layer; add it to LAYERS"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                other = _part(module)
                if other in _HEIGHT and _HEIGHT[other] > _HEIGHT[part]:
                    found.append(f"{relative}: {module} ({_LAYER[part]} -> {_LAYER[other]})")
    return found


def test_no_layer_imports_a_higher_one() -> None:
    assert wrong_way(PACKAGE) == []


def test_the_rule_catches_a_wrong_way_import(tmp_path: Path) -> None:
    """The check itself, on a copy of two files: the measuring code imported by the domain (as
    chat/benchmark.py once imported the gateway wiring)."""
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "orchestrator.py").write_text("from dovvy.measure import coldstart\n")
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "pool.py").write_text("import dovvy.runtime\nfrom dovvy.errors import ApiError\n")
    assert wrong_way(tmp_path) == [
        "chat/orchestrator.py: dovvy.measure (domain -> tools)",
        "db/pool.py: dovvy.runtime (adapters -> wiring)",
    ]
