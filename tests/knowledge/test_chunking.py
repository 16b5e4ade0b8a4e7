from __future__ import annotations

import itertools

import pytest

from dovvy.knowledge.chunking import MAX_CHUNK_CHARS, chunk_document
from dovvy.knowledge.documents import parse
from dovvy.text import count_tokens

FRONT = "---\ntitle: Test Guide\ndescription: A test.\ndoc_type: skill\ntags: [t]\n---\n\n"


def chunks_of(body: str, **kwargs: int) -> list[tuple[str, str]]:
    doc = parse("t.md", FRONT + body)
    return [(c.heading, c.text) for c in chunk_document(doc, **kwargs)]


def test_first_chunk_summarises_the_document() -> None:
    [summary, *_] = chunk_document(parse("t.md", FRONT + "## A\n\nText."))
    assert summary.heading == "Summary"
    assert "A test." in summary.text


def test_sections_carry_their_heading_path() -> None:
    body = "## Gear\n\nIntro.\n\n### Masks\n\nFit matters.\n\n## Care\n\nRinse it."
    assert chunks_of(body)[1:] == [
        ("Gear", "Intro."),
        ("Gear > Masks", "Fit matters."),
        ("Care", "Rinse it."),
    ]


def test_embedded_text_has_title_and_heading_path() -> None:
    doc = parse("t.md", FRONT + "## Gear\n\n### Masks\n\nFit matters.")
    chunk = chunk_document(doc)[1]
    assert chunk.embed_text == "Test Guide\nGear > Masks\n\nFit matters."


def test_lists_tables_and_code_stay_whole() -> None:
    items = "\n".join(f"- item {i} " + "word " * 10 for i in range(12))
    table = "| a | b |\n| --- | --- |\n" + "\n".join(f"| {i} | {'x ' * 8}|" for i in range(10))
    code = "```\n" + "\n".join(f"line {i} " + "tok " * 8 for i in range(10)) + "\n```"
    body = f"## S\n\n{items}\n\n{table}\n\n{code}"
    texts = [text for _, text in chunks_of(body, budget=60, overlap=0)[1:]]
    assert items in texts
    assert table in texts
    assert code in texts


def test_headings_inside_code_blocks_are_not_headings() -> None:
    body = "## Real\n\n```\n## not a heading\n```"
    assert [h for h, _ in chunks_of(body)[1:]] == ["Real"]


def test_paragraphs_pack_to_the_budget_with_whole_paragraph_overlap() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 30 + "end." for i in range(8)]
    chunks = chunks_of("## S\n\n" + "\n\n".join(paragraphs), budget=100, overlap=40)[1:]
    assert len(chunks) > 1
    for _, text in chunks:
        assert count_tokens(text) <= 100
        # every chunk is made of whole paragraphs
        assert all(part in paragraphs for part in text.split("\n\n"))
    # each chunk after the first starts with the previous chunk's last paragraph
    for (_, previous), (_, current) in itertools.pairwise(chunks):
        assert current.split("\n\n")[0] == previous.split("\n\n")[-1]


def test_an_oversized_paragraph_is_split_at_sentences() -> None:
    paragraph = " ".join(f"Sentence number {i} is here." for i in range(60))
    chunks = chunks_of("## S\n\n" + paragraph, budget=50, overlap=0)[1:]
    assert len(chunks) > 1
    assert all(text.endswith(".") for _, text in chunks)
    assert " ".join(text for _, text in chunks) == paragraph


def test_chunking_is_deterministic_and_hash_identifies_content() -> None:
    doc = parse("t.md", FRONT + "## A\n\nOne.\n\n## B\n\nTwo.")
    first, second = chunk_document(doc), chunk_document(doc)
    assert first == second
    assert len({c.content_hash for c in first}) == len(first)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("word " * 200_000, id="a-megabyte-without-a-full-stop"),
        pytest.param("x" * 50_000, id="one-endless-word"),
        pytest.param("| a | b |\n" * 20_000, id="a-huge-table"),
    ],
)
def test_no_chunk_passes_the_hard_bound(text: str) -> None:
    chunks = chunks_of(f"## S\n\n{text}")
    assert max(len(body) for _, body in chunks) <= MAX_CHUNK_CHARS
