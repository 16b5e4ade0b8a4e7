from __future__ import annotations

from pathlib import Path

import pytest

from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.cli import main
from dovvy.knowledge.documents import DocumentInvalid, parse, read
from dovvy.knowledge.files import check
from tests.conftest import ROOT

GOOD = """---
title: Night Diving
description: Diving after dark.
doc_type: skill
tags: [night, lights]
---

## Lights

Carry two torches.
"""


def problems_of(raw: str) -> list[str]:
    """What the strict rules (our own authors') say of `raw`."""
    with pytest.raises(DocumentInvalid) as raised:
        parse("doc.md", raw, strict=True)
    return [str(p) for p in raised.value.problems]


def test_a_good_document_parses() -> None:
    doc = parse("skills/night.md", GOOD)
    assert (doc.title, doc.doc_type, doc.tags) == ("Night Diving", "skill", ("night", "lights"))
    assert doc.body.startswith("## Lights")
    assert doc.body_line == 7


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("## No frontmatter\n", "doc.md:1: no '---' frontmatter block", id="no-frontmatter"),
        pytest.param(
            "---\ntitle: x\n\n## A\n\nText.\n",
            "doc.md:1: frontmatter block is not closed with '---'",
            id="unclosed",
        ),
        pytest.param(
            GOOD.replace("title: Night Diving\n", ""),
            "doc.md:1: no 'title'; the first heading is used",
            id="no-title",
        ),
        pytest.param(
            GOOD.replace("doc_type: skill", "doc_type: blog"),
            "doc.md:4: doc_type 'blog' is not one of ours",
            id="doc-type",
        ),
        pytest.param(
            GOOD.replace("tags: [night, lights]", "tags: night"),
            "doc.md:5: 'tags' should be a list of text",
            id="tags",
        ),
        pytest.param(
            GOOD.replace("tags: [night, lights]", "tags: [night"),
            "doc.md:5: frontmatter is not valid YAML",
            id="yaml",
        ),
        pytest.param(
            GOOD.replace("doc_type: skill", "doc_type: dive_site"),
            "doc.md:1: a dive_site document usually has 'destination'",
            id="site-fields",
        ),
        pytest.param(
            GOOD.replace("doc_type: skill", "doc_type: skill\ndepth_range_m: [30, 5]"),
            "doc.md:5: 'depth_range_m' should be",
            id="depth",
        ),
        pytest.param(
            GOOD.replace("doc_type: skill", "doc_type: skill\nmin_certification: Jedi"),
            "doc.md:5: 'min_certification' 'Jedi' is not a level we know",
            id="cert",
        ),
        pytest.param(
            GOOD.replace("## Lights", "## Lights\n\n#### Too deep"),
            "doc.md:10: heading jumps from level 2 to 4",
            id="heading-jump",
        ),
        pytest.param(
            GOOD.replace("Carry two torches.", "```\ncode"),
            "doc.md:10: a ``` code block is never closed",
            id="code-unclosed",
        ),
        pytest.param(
            GOOD.replace("## Lights\n", ""),
            "doc.md:7: document needs at least one '##' section heading",
            id="no-heading",
        ),
        pytest.param(GOOD.split("## Lights", maxsplit=1)[0], "doc.md:6: document has no text", id="no-body"),
    ],
)
def test_problems_name_file_and_line(raw: str, expected: str) -> None:
    assert any(problem.startswith(expected) for problem in problems_of(raw)), problems_of(raw)


def test_every_problem_is_reported_at_once() -> None:
    raw = GOOD.replace("title: Night Diving\n", "").replace("doc_type: skill", "doc_type: blog")
    assert len(problems_of(raw)) == 2


def test_bundled_content_is_valid_and_large_enough() -> None:
    content = ROOT / "content"
    assert check([content], strict=True)[1:] == ([], [])
    docs = sorted(content.rglob("*.md"))
    assert len(docs) >= 40
    types = {parse(str(p), p.read_text()).doc_type for p in docs}
    assert {"certification", "destination", "dive_site", "safety", "skill"} <= types


def test_every_seeded_destination_has_a_guide() -> None:
    from dovvy import seed

    destinations = {d.code for d in seed.load(DESTINATIONS_FILE)}
    guides = {
        parse(str(p), p.read_text()).metadata.get("destination")
        for p in (ROOT / "content" / "destinations").glob("*.md")
    }
    assert destinations <= guides


def test_validate_strict_prints_file_line_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "bad.md").write_text(GOOD.replace("doc_type: skill", "doc_type: blog"))
    assert main(["validate", "--strict", str(tmp_path)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        f"{tmp_path / 'bad.md'}:4: doc_type 'blog' is not one of ours; read as 'general' from its folder and fields"
    ]
    assert main(["validate", "--strict", str(tmp_path / "good.md")]) == 0


def test_validate_without_strict_warns_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.md").write_text(GOOD.replace("doc_type: skill", "doc_type: blog"))
    assert main(["validate", str(tmp_path)]) == 0
    assert ":4: warning: doc_type 'blog'" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(GOOD.split("## Lights", maxsplit=1)[0], "document has no text", id="no-text"),
        pytest.param(
            "---\ndescription: x\n---\n\nJust words, no heading.\n", "no title and no heading", id="nameless"
        ),
    ],
)
def test_only_an_unusable_document_is_refused(raw: str, expected: str) -> None:
    with pytest.raises(DocumentInvalid, match=expected):
        read("doc.md", raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("## No frontmatter\n\nSome text.\n", id="no-frontmatter"),
        pytest.param("---\ntitle: [broken\n---\n\n# A heading\n\nText.\n", id="broken-yaml"),
        pytest.param(GOOD.replace("doc_type: skill", "doc_type: blog"), id="unknown-type"),
        pytest.param(GOOD.replace("Carry two torches.", "```\ncode"), id="unclosed-code"),
    ],
)
def test_anything_else_is_a_warning_and_the_document_is_kept(raw: str) -> None:
    reading = read("doc.md", raw)
    assert reading.warnings
    assert reading.document.title


def test_frontmatter_that_is_not_yaml_as_a_whole_is_read_line_by_line() -> None:
    """A colon inside a value breaks YAML ("description: Nitrox: what it is"); the title, type and
    tags around it must not be lost with it."""
    raw = GOOD.replace("description:", "description: Lights, buddies: what changes at night.\nsummary:")
    reading = read("doc.md", raw)
    assert reading.document.title == "Night Diving"
    assert reading.document.doc_type == "skill"
    assert reading.document.tags == ("night", "lights")
    assert any("read line by line" in w.message for w in reading.warnings)


def test_only_web_links_and_names_are_kept_as_sources() -> None:
    """A source becomes a link in the web app: javascript:, data: or file: never get that far."""
    raw = GOOD.replace(
        "tags: [night, lights]",
        "tags: [night, lights]\nsources: ['https://dan.org/health', 'DAN Diving Medicine',"
        " 'javascript:alert(1)', ' data:text/html,<b>x</b>', 'FILE:///etc/passwd']",
    )
    reading = read("skills/night.md", raw)
    assert reading.document.metadata["sources"] == ["https://dan.org/health", "DAN Diving Medicine"]
    dropped = [str(w) for w in reading.warnings if "dropped" in str(w)]
    assert len(dropped) == 3
    assert all(w.startswith("skills/night.md:") for w in dropped)


def test_a_stored_source_with_another_scheme_is_never_cited() -> None:
    from dovvy.chat import response
    from dovvy.passages import Passage

    passage = Passage(
        "a.md",
        "A",
        "H",
        "text",
        1.0,
        0.9,
        1,
        1,
        {"sources": ["javascript:alert(1)", "https://x.org", "Name"]},
    )
    assert response.source(passage)["sources"] == ["https://x.org", "Name"]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("## Night Diving", "Night Diving"),
        ("## Night Diving ##", "Night Diving"),
        ("#   Spaced   ", "Spaced"),
        ("### C# for divers", "C# for divers"),
        ("# word" + " " * 20_000, "word"),
        ("# word" + " " * 200_000 + "x", "word" + " " * 200_000 + "x"),
    ],
)
def test_headings_are_read_in_linear_time(line: str, title: str) -> None:
    """The last line took hours before: the heading pattern tried every way the spaces could be
    split (cubic in their number; 30 s for 2,000)."""
    import time

    from dovvy.text import heading

    started = time.perf_counter()
    found = heading(line)
    assert found is not None
    assert found.title == title
    assert time.perf_counter() - started < 0.1  # the bound; about 0.2 ms here


_SPACES = " " * 50_000


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(f"description: a{_SPACES}b", id="field-value"),
        pytest.param(f"description:{_SPACES}", id="field-blank"),
        pytest.param(f"# word{_SPACES}x", id="heading"),
        pytest.param(f"-{_SPACES}item", id="list-item"),
        pytest.param(f"Done.{_SPACES}Next", id="sentence"),
        pytest.param("a_" * 25_000 + "!", id="identifier"),
        pytest.param(f"{_SPACES}javascript:", id="scheme"),
    ],
)
def test_no_line_in_the_reading_path_is_slower_than_linear(line: str) -> None:
    """Each adversarial line in the frontmatter (read line by line: the YAML as a whole is broken
    on purpose) and in the body, through the whole reader and the chunker. The first took a second
    for 20,000 spaces before (a value pattern that tried every split of the spaces)."""
    import time

    from dovvy.knowledge.chunking import chunk_document

    raw = f"---\ntitle: T\ndoc_type: safety\nbroken: [\n{line}\n---\n\n# Heading\n\n{line}\n\nA paragraph.\n"
    started = time.perf_counter()
    chunk_document(read("x.md", raw).document)
    assert time.perf_counter() - started < 0.25  # about 25 ms here
