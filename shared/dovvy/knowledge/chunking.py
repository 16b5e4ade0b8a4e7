"""Markdown-aware chunking: sections by heading, whole lists/tables/code, paragraphs packed to a budget.

Token counts are an offline estimate (words and punctuation marks), close to what subword
tokenizers give for English prose and needing no downloaded vocabulary.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dovvy.knowledge.documents import Document

# Bump when chunking output changes, so the next ingest re-chunks documents whose text did not change.
CHUNKING_VERSION = 2
DEFAULT_BUDGET = 400
DEFAULT_OVERLAP = 80

_TOKEN = re.compile(r"\w+|[^\w\s]")
_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


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
        if _LIST_ITEM.match(line):
            j = i + 1
            # A list runs on through items and their indented continuations.
            while j < len(lines) and (
                _LIST_ITEM.match(lines[j]) or (lines[j].startswith(("  ", "\t")) and lines[j].strip())
            ):
                j += 1
            yield _Block("list", "\n".join(lines[i:j]))
            i = j
            continue
        j = i + 1
        while (
            j < len(lines)
            and lines[j].strip()
            and not _HEADING.match(lines[j])
            and not _LIST_ITEM.match(lines[j])
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
        match = None if in_code else _HEADING.match(line)
        if match:
            if any(text.strip() for text in current):
                yield [title for _, title in path], current
            level = len(match.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, match.group(2))]
            current = []
        else:
            current.append(line)
    if any(text.strip() for text in current):
        yield [title for _, title in path], current


def _split_paragraph(block: _Block, budget: int) -> list[_Block]:
    sentences = _SENTENCE_END.split(block.text)
    parts: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if current and count_tokens(" ".join([*current, sentence])) > budget:
            parts.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        parts.append(" ".join(current))
    return [_Block("paragraph", part) for part in parts]


def _pack(blocks: list[_Block], budget: int, overlap: int) -> list[list[_Block]]:
    groups: list[list[_Block]] = []
    current: list[_Block] = []
    size = 0
    for block in blocks:
        if current and size + block.tokens > budget:
            groups.append(current)
            # Carry whole trailing paragraphs forward as overlap, never a partial one.
            carried: list[_Block] = []
            carried_size = 0
            for previous in reversed(current):
                if previous.kind != "paragraph" or carried_size + previous.tokens > overlap:
                    break
                carried.insert(0, previous)
                carried_size += previous.tokens
            if carried_size + block.tokens > budget:
                carried, carried_size = [], 0
            current, size = carried, carried_size
        current.append(block)
        size += block.tokens
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
    add(f"{document.description}\n\nTopics: {', '.join(document.tags)}", "Summary")
    for headings, lines in _sections(document.body):
        blocks: list[_Block] = []
        for block in _blocks(lines):
            if block.kind == "paragraph" and block.tokens > budget:
                blocks.extend(_split_paragraph(block, budget))
            else:
                blocks.append(block)
        heading = " > ".join(headings)
        for group in _pack(blocks, budget, overlap):
            add("\n\n".join(block.text for block in group), heading)
    return chunks
