"""Markdown documents with YAML frontmatter, and the rules they must follow."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

import yaml

from dovvy.knowledge import frontmatter
from dovvy.text import heading


@dataclasses.dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DocumentInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclasses.dataclass(frozen=True)
class Document:
    path: str
    title: str
    description: str
    doc_type: str
    tags: tuple[str, ...]
    metadata: dict[str, Any]
    body: str
    body_line: int
    hash: str


@dataclasses.dataclass(frozen=True)
class Reading:
    """A document read leniently, with what was guessed, mapped or dropped on the way."""

    document: Document
    warnings: list[Problem]


def parse(path: str, raw: str, *, strict: bool = False) -> Document:
    """The document, or DocumentInvalid listing its problems with their lines. Lenient by default
    (only an unusable document is invalid); `strict` makes every warning a problem."""
    reading = read(path, raw)
    if strict and reading.warnings:
        raise DocumentInvalid(reading.warnings)
    return reading.document


def read(path: str, raw: str) -> Reading:
    """Read a document as other authors write it. Unusable (DocumentInvalid): no text, or neither a
    title nor a heading. Everything else is a warning and the document is kept."""
    warnings: list[Problem] = []
    lines = raw.splitlines()
    front, end = _frontmatter(path, lines, warnings)

    def line_of(key: str) -> int:
        for i in range(1, end):
            if lines[i].startswith(f"{key}:"):
                return i + 1
        return 1

    body_lines = lines[end + 1 :] if end else lines
    body_line = end + 2 if end else 1
    body = "\n".join(body_lines).strip("\n")
    if not body.strip():
        raise DocumentInvalid([Problem(path, max(body_line - 1, 1), "document has no text")])
    first_heading, first_paragraph = _structure(body_lines, body_line, path, warnings)

    def warn(key: str, message: str) -> None:
        warnings.append(Problem(path, line_of(key) if key else 1, message))

    try:
        fields = frontmatter.read(
            front, path=path, first_heading=first_heading, first_paragraph=first_paragraph, warn=warn
        )
    except ValueError as exc:
        raise DocumentInvalid([Problem(path, 1, str(exc))]) from None
    document = Document(
        path=path,
        title=fields.title,
        description=fields.description,
        doc_type=fields.doc_type,
        tags=fields.tags,
        metadata=fields.metadata,
        body=body,
        body_line=body_line,
        hash=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )
    return Reading(document, warnings)


def _frontmatter(path: str, lines: list[str], warnings: list[Problem]) -> tuple[dict[str, Any], int]:
    """(frontmatter mapping, index of its closing '---' line, or 0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        warnings.append(Problem(path, 1, "no '---' frontmatter block; title and type are guessed"))
        return {}, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    if not end:
        warnings.append(Problem(path, 1, "frontmatter block is not closed with '---'; ignored"))
        return {}, 0
    try:
        front = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid"
        warnings.append(Problem(path, line, f"frontmatter is not valid YAML ({problem}); read line by line"))
        return _simple_fields(lines[1:end]), end
    if not isinstance(front, dict):
        warnings.append(Problem(path, 2, "frontmatter must be a mapping of keys to values; ignored"))
        return {}, end
    return front, end


# The value is trimmed in Python: `\s*(.*?)\s*$` tried every split of a run of spaces (quadratic:
# a second for a line with 20,000 of them).
_FIELD = re.compile(r"^([A-Za-z_][\w-]*):(.*)$")


def _simple_fields(lines: list[str]) -> dict[str, Any]:
    """`key: value` lines read one by one, for frontmatter that is not valid YAML as a whole — most
    often a description with a colon in it ("description: Nitrox: what it is"). Each value is read
    as YAML when it parses (lists, numbers, dates), else kept as text."""
    fields: dict[str, Any] = {}
    for line in lines:
        match = _FIELD.match(line)
        if not match:
            continue
        key, raw = match.group(1), match.group(2).strip()
        try:
            value = yaml.safe_load(raw) if raw else None
        except yaml.YAMLError:
            value = raw
        fields[key] = value if isinstance(value, str | int | float | list | bool) or value is None else raw
    return fields


def _structure(body_lines: list[str], first_line: int, path: str, warnings: list[Problem]) -> tuple[str, str]:
    """(first heading, first paragraph of prose), warning about broken structure on the way."""
    level = 0
    first_heading = ""
    paragraph: list[str] = []
    first_paragraph = ""
    in_code = False
    code_opened = 0
    for offset, text in enumerate(body_lines):
        if text.lstrip().startswith("```"):
            in_code = not in_code
            code_opened = first_line + offset
            continue
        match = None if in_code else heading(text)
        if match:
            new_level = match.level
            if level and new_level > level + 1:
                warnings.append(
                    Problem(path, first_line + offset, f"heading jumps from level {level} to {new_level}")
                )
            level = new_level
            first_heading = first_heading or match.title
        if not first_paragraph and not in_code:
            prose = text.strip() and not match and not text.lstrip().startswith(("|", "-", "*", ">", "<"))
            if prose:
                paragraph.append(text.strip())
            elif paragraph:
                first_paragraph = " ".join(paragraph)
    if in_code:
        warnings.append(Problem(path, code_opened, "a ``` code block is never closed"))
    if not level:
        warnings.append(Problem(path, first_line, "document needs at least one '##' section heading"))
    return first_heading, first_paragraph or " ".join(paragraph)
