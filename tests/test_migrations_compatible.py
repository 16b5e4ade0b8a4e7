"""A release's migrations run before any traffic reaches its code (the migrate step on apply), and
the previous version keeps serving through the canary and after a rollback: so every migration's
upgrade only adds what old code can ignore. This holds each one to that, and is shown to fail on a
migration that drops, renames, retypes or tightens something old code still reads or writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

VERSIONS = ROOT / "shared" / "dovvy" / "db" / "migrations" / "versions"

# What the previous release's code could trip on. An added column must be nullable or carry a
# default (old INSERTs do not name it); nothing it reads may disappear or change type.
BREAKING = {
    "drops a table": r"\bDROP\s+TABLE\b|op\.drop_table\(",
    "drops a column": r"\bDROP\s+COLUMN\b|op\.drop_column\(",
    "renames": r"\bRENAME\b|op\.rename_table\(",
    "changes a column's type": r"\bALTER\s+COLUMN\s+\w+\s+(SET\s+DATA\s+)?TYPE\b|op\.alter_column\(",
    "makes a column required": r"\bSET\s+NOT\s+NULL\b",
    "adds a required column without a default": r"\bADD\s+COLUMN\s+(?:(?!DEFAULT)[^,;)])*\bNOT\s+NULL\b(?:(?!DEFAULT)[^,;)])*(?:[,;)]|$)",
}

# Released before this rule, each checked by hand: 0007 gave `term` the C collation (the same text,
# another sort order: old code reads and writes it unchanged).
EARLIER = {("0007_lean_keyword_index.py", "changes a column's type")}


def upgrade_of(source: str) -> str:
    return source[source.index("def upgrade") : source.index("def downgrade")]


def breaking(source: str) -> list[str]:
    body = upgrade_of(source)
    return [why for why, pattern in BREAKING.items() if re.search(pattern, body, re.IGNORECASE | re.DOTALL)]


@pytest.mark.parametrize("migration", sorted(p.name for p in VERSIONS.glob("0*.py")))
def test_each_upgrade_only_adds_what_old_code_can_ignore(migration: str) -> None:
    found = [why for why in breaking((VERSIONS / migration).read_text()) if (migration, why) not in EARLIER]
    assert found == [], f"{migration} {', '.join(found)}: split it over two releases (docs/operations.md)"


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ('op.execute("ALTER TABLE leads DROP COLUMN phone")', "drops a column"),
        ('op.execute("DROP TABLE telegram_updates")', "drops a table"),
        ('op.execute("ALTER TABLE sessions RENAME COLUMN channel TO via")', "renames"),
        ('op.execute("ALTER TABLE leads ALTER COLUMN data TYPE text")', "changes a column's type"),
        ('op.execute("ALTER TABLE leads ALTER COLUMN email SET NOT NULL")', "makes a column required"),
        (
            'op.execute("ALTER TABLE leads ADD COLUMN shop text NOT NULL")',
            "adds a required column without a default",
        ),
    ],
)
def test_the_rule_catches_each_kind_of_break(statement: str, why: str) -> None:
    source = f"def upgrade() -> None:\n    {statement}\n\n\ndef downgrade() -> None:\n    pass\n"
    assert why in breaking(source)


@pytest.mark.parametrize(
    "statement",
    [
        "op.execute(\"ALTER TABLE leads ADD COLUMN shop text NOT NULL DEFAULT 'main'\")",
        'op.execute("ALTER TABLE leads ADD COLUMN shop text")',
        'op.execute("CREATE TABLE shops (id uuid PRIMARY KEY)")',
        'op.execute("DROP INDEX IF EXISTS content_embeddings_tsv_gin")',
    ],
)
def test_additions_pass(statement: str) -> None:
    source = f"def upgrade() -> None:\n    {statement}\n\n\ndef downgrade() -> None:\n    op.execute('DROP TABLE shops')\n"
    assert breaking(source) == []


def test_the_versions_folder_is_the_one_migrate_runs() -> None:
    assert len(list(VERSIONS.glob("0*.py"))) >= 10
    assert Path(VERSIONS / "0010_telegram.py").is_file()
