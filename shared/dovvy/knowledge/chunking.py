"""Markdown-aware chunking: sections by heading, whole lists/tables/code, paragraphs packed to a budget.

Token counts are an offline estimate (words and punctuation marks), close to what subword
tokenizers give for English prose and needing no downloaded vocabulary.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dovvy.text import LIST_ITEM, count_tokens, heading, sentences

if TYPE_CHECKING:
    from dovvy.knowledge.documents import Document

# Bump when chunking output changes, so the next ingest re-chunks documents whose text did not change.
CHUNKING_VERSION = 3
DEFAULT_BUDGET = 400
DEFAULT_OVERLAP = 80
# However the text is written (one endless sentence, a table of thousands of rows, a "word" of a
# million letters), no chunk is longer than this: memory, embedding input and PostgreSQL's
# tsvector all have limits.
MAX_CHUNK_CHARS = 4000


@dataclasses.dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    heading: str
    embed_text: str
    content_hash: str
    tokens: int


@dataclasses.dataclass(frozen=True)
class _Block:
    kind: str  # paragraph, list, table, code
    text: str

    @property
    def tokens(self) -> int:
        return count_tokens(self.text)


def _blocks(lines: list[str]) -> Iterator[_Block]:
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.lstrip().startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("```"):
                j += 1
            yield _Block("code", "\n".join(lines[i : j + 1]))
            i = j + 1
            continue
        if line.lstrip().startswith("|"):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            yield _Block("table", "\n".join(lines[i:j]))
            i = j
            continue
        if LIST_ITEM.match(line):
            j = i + 1
            # A list runs on through items and their indented continuations.
            while j < len(lines) and (
                LIST_ITEM.match(lines[j]) or (lines[j].startswith(("  ", "\t")) and lines[j].strip())
            ):
                j += 1
            yield _Block("list", "\n".join(lines[i:j]))
            i = j
            continue
        j = i + 1
        while (
            j < len(lines)
            and lines[j].strip()
            and not heading(lines[j])
            and not LIST_ITEM.match(lines[j])
            and not lines[j].lstrip().startswith(("```", "|"))
        ):
            j += 1
        yield _Block("paragraph", "\n".join(lines[i:j]))
        i = j


def _sections(body: str) -> Iterator[tuple[list[str], list[str]]]:
    """Yield (heading path, lines) for each run of text under a heading (code blocks respected)."""
    path: list[tuple[int, str]] = []
    current: list[str] = []
    in_code = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else heading(line)
        if match:
            if any(text.strip() for text in current):
                yield [title for _, title in path], current
            level = match.level
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, match.title)]
            current = []
        else:
            current.append(line)
    if any(text.strip() for text in current):
        yield [title for _, title in path], current


def _split_paragraph(block: _Block, budget: int) -> list[_Block]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences(block.text):
        tokens = count_tokens(sentence)
        if current and size + tokens > budget:
            parts.append(" ".join(current))
            current, size = [], 0
        current.append(sentence)
        size += tokens
    if current:
        parts.append(" ".join(current))
    return [_Block("paragraph", part) for part in parts]


def _join_within(items: list[str], separator: str, budget: int) -> list[str]:
    """Consecutive items joined by `separator` into pieces of at most `budget` tokens and
    MAX_CHUNK_CHARS characters (an item is never cut here)."""
    pieces: list[str] = []
    current: list[str] = []
    size = chars = 0
    for item in items:
        tokens = count_tokens(item)
        if current and (size + tokens > budget or chars + len(item) + len(separator) > MAX_CHUNK_CHARS):
            pieces.append(separator.join(current))
            current, size, chars = [], 0, 0
        current.append(item)
        size += tokens
        chars += len(item) + len(separator)
    if current:
        pieces.append(separator.join(current))
    return pieces


def _split_words(text: str, budget: int) -> list[str]:
    """Pieces of at most `budget` tokens and MAX_CHUNK_CHARS characters, cut between words, and
    inside a word only when the word alone is longer than the character limit."""
    words = [
        word[start : start + MAX_CHUNK_CHARS]
        for word in text.split()
        for start in range(0, len(word), MAX_CHUNK_CHARS)
    ]
    return _join_within(words, " ", budget)


def _bounded(block: _Block, budget: int) -> list[_Block]:
    """The block in pieces: a paragraph over the budget by sentence; a list, table or code block
    stays whole (it reads as one) unless it passes MAX_CHUNK_CHARS, then by line; and any piece
    still over MAX_CHUNK_CHARS by word, to the budget."""
    if block.kind == "paragraph":
        parts = (
            [part.text for part in _split_paragraph(block, budget)] if block.tokens > budget else [block.text]
        )
    elif len(block.text) <= MAX_CHUNK_CHARS:
        parts = [block.text]
    else:
        parts = _join_within(block.text.splitlines(), "\n", budget)
    bounded: list[_Block] = []
    for part in parts:
        if len(part) <= MAX_CHUNK_CHARS:
            bounded.append(_Block(block.kind, part))
        else:
            bounded.extend(_Block(block.kind, piece) for piece in _split_words(part, budget))
    return bounded


def _pack(blocks: list[_Block], budget: int, overlap: int) -> list[list[_Block]]:
    """Blocks grouped into chunks of at most `budget` tokens and MAX_CHUNK_CHARS characters (a
    block over the token budget gets a chunk of its own)."""
    groups: list[list[_Block]] = []
    current: list[_Block] = []
    size = chars = 0
    for block in blocks:
        if current and (size + block.tokens > budget or chars + len(block.text) + 2 > MAX_CHUNK_CHARS):
            groups.append(current)
            # Carry whole trailing paragraphs forward as overlap, never a partial one.
            carried: list[_Block] = []
            carried_size = carried_chars = 0
            for previous in reversed(current):
                if previous.kind != "paragraph" or carried_size + previous.tokens > overlap:
                    break
                carried.insert(0, previous)
                carried_size += previous.tokens
                carried_chars += len(previous.text) + 2
            if carried_size + block.tokens > budget or carried_chars + len(block.text) > MAX_CHUNK_CHARS:
                carried, carried_size, carried_chars = [], 0, 0
            current, size, chars = carried, carried_size, carried_chars
        current.append(block)
        size += block.tokens
        chars += len(block.text) + 2
    if current:
        groups.append(current)
    return groups


def chunk_document(
    document: Document, *, budget: int = DEFAULT_BUDGET, overlap: int = DEFAULT_OVERLAP
) -> list[Chunk]:
    chunks: list[Chunk] = []

    def add(text: str, heading: str) -> None:
        embed_text = f"{document.title}\n{heading}\n\n{text}" if heading else f"{document.title}\n\n{text}"
        chunks.append(
            Chunk(
                index=len(chunks),
                text=text,
                heading=heading,
                embed_text=embed_text,
                content_hash=hashlib.sha256(embed_text.encode("utf-8")).hexdigest(),
                tokens=count_tokens(embed_text),
            )
        )

    # A summary chunk first: the description and tags say what the whole document is about, which
    # is what a question usually matches when its words appear in no single section.
    summary = f"{document.description}\n\nTopics: {', '.join(document.tags)}"
    add(summary[:MAX_CHUNK_CHARS], "Summary")
    for headings, lines in _sections(document.body):
        blocks: list[_Block] = []
        for block in _blocks(lines):
            blocks.extend(_bounded(block, budget))
        heading = " > ".join(headings)
        for group in _pack(blocks, budget, overlap):
            add("\n\n".join(block.text for block in group), heading)
    return chunks
