"""Markdown documents with YAML frontmatter, and the rules they must follow."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dovvy import catalogue

DOC_TYPES = ("certification", "destination", "dive_site", "safety", "skill", "general")
_REQUIRED = ("title", "description", "doc_type", "tags")
_PLACE_FIELDS = ("destination", "min_certification", "depth_range_m")
_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*\s*$")


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


def parse(path: str, raw: str) -> Document:
    """Parse and validate a document; raise DocumentInvalid listing every problem with its line."""
    problems: list[Problem] = []
    lines = raw.splitlines()
    if not lines or lines[0].strip() != "---":
        raise DocumentInvalid([Problem(path, 1, "must start with a '---' frontmatter block")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise DocumentInvalid([Problem(path, 1, "frontmatter block is not closed with '---'")]) from None
    front_text = "\n".join(lines[1:end])
    try:
        front = yaml.safe_load(front_text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise DocumentInvalid([Problem(path, line, f"frontmatter is not valid YAML: {exc}")]) from None
    if not isinstance(front, dict):
        raise DocumentInvalid([Problem(path, 2, "frontmatter must be a mapping of keys to values")])

    def line_of(key: str) -> int:
        for i in range(1, end):
            if lines[i].startswith(f"{key}:"):
                return i + 1
        return 1

    problems.extend(Problem(path, line, message) for line, message in _check_frontmatter(front, line_of))
    body_lines = lines[end + 1 :]
    body = "\n".join(body_lines).strip("\n")
    body_line = end + 2
    problems.extend(Problem(path, line, message) for line, message in _check_body(body_lines, body_line))
    if problems:
        raise DocumentInvalid(problems)
    metadata = {k: v for k, v in front.items() if k not in _REQUIRED}
    return Document(
        path=path,
        title=front["title"].strip(),
        description=front["description"].strip(),
        doc_type=str(front["doc_type"]),
        tags=tuple(front["tags"]),
        metadata=metadata,
        body=body,
        body_line=body_line,
        hash=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )


def _check_frontmatter(front: dict[str, Any], line_of: Callable[[str], int]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    for key in _REQUIRED:
        if key not in front or front[key] in (None, "", []):
            problems.append((1, f"frontmatter is missing '{key}'"))
    for key in ("title", "description"):
        if key in front and not isinstance(front[key], str):
            problems.append((line_of(key), f"'{key}' must be text"))
    doc_type = front.get("doc_type")
    if doc_type is not None and doc_type not in DOC_TYPES:
        problems.append((line_of("doc_type"), f"'doc_type' must be one of {', '.join(DOC_TYPES)}"))
    tags = front.get("tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        problems.append((line_of("tags"), "'tags' must be a list of text"))
    if doc_type in ("destination", "dive_site"):
        problems.extend(
            (1, f"a {doc_type} document needs '{key}'") for key in _PLACE_FIELDS if key not in front
        )
        if doc_type == "dive_site" and "site_id" not in front:
            problems.append((1, "a dive_site document needs 'site_id'"))
    if "min_certification" in front and front["min_certification"] not in catalogue.level_names():
        levels = ", ".join(catalogue.level_names())
        problems.append((line_of("min_certification"), f"'min_certification' must be one of {levels}"))
    if "depth_range_m" in front:
        depth = front["depth_range_m"]
        if not (
            isinstance(depth, list)
            and len(depth) == 2
            and all(isinstance(d, int | float) for d in depth)
            and 0 <= depth[0] <= depth[1]
        ):
            problems.append(
                (line_of("depth_range_m"), "'depth_range_m' must be [shallowest, deepest] in metres")
            )
    return problems


def _check_body(body_lines: list[str], first_line: int) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    if not any(line.strip() for line in body_lines):
        return [(first_line - 1, "document has no body after the frontmatter")]
    level = 0
    headings = 0
    in_code = False
    code_opened = 0
    for offset, text in enumerate(body_lines):
        if text.lstrip().startswith("```"):
            in_code = not in_code
            code_opened = first_line + offset
            continue
        match = None if in_code else _HEADING.match(text)
        if match:
            headings += 1
            new_level = len(match.group(1))
            if level and new_level > level + 1:
                problems.append((first_line + offset, f"heading jumps from level {level} to {new_level}"))
            level = new_level
    if in_code:
        problems.append((code_opened, "a ``` code block is never closed"))
    if headings == 0:
        problems.append((first_line, "document needs at least one '##' section heading"))
    return problems


def iter_markdown(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(file, root) pairs for every markdown file named or found under the given paths, sorted."""
    found: list[tuple[Path, Path]] = []
    for given in paths:
        if given.is_dir():
            found.extend((file, given) for file in sorted(given.rglob("*.md")) if file.is_file())
        else:
            found.append((given, given.parent))
    return found


def relative_path(file: Path, root: Path) -> str:
    return file.resolve().relative_to(root.resolve()).as_posix()


def validate_paths(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for file, root in iter_markdown(paths):
        shown = file.as_posix()
        try:
            raw = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, 1, f"cannot read: {exc}"))
            continue
        try:
            parse(shown, raw)
        except DocumentInvalid as exc:
            problems.extend(exc.problems)
        del root
    return problems
