"""Finding markdown files on disk and reading them, with every failure reported against its file.

A document's identity (its `content_path`) is its path relative to an anchor. Inside the knowledge
base's root (`DOVVY_CONTENT_DIR`, or `--root`) the anchor is the root, and the identity a plain
path: so `dovvy ingest content/safety` after `dovvy ingest content` updates the same documents
instead of storing them again under shorter paths. A folder outside the root is a source of its
own, named after the folder: its articles are stored as `<folder name>:<path>`, so they never
replace the knowledge base's articles of the same path, a prune of that folder touches only them,
and `make run`'s sync of `content/` leaves them alone. With no root at all (a library caller), the
named folder is its own root.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from dovvy.knowledge.documents import DocumentInvalid, Problem, read
from dovvy.knowledge.places import places_of

SUFFIXES = (".md", ".markdown")
# Between a source's name and a path inside it; a path in the knowledge base may not hold one.
SOURCE_MARK = ":"


@dataclasses.dataclass(frozen=True)
class Found:
    file: Path
    path: str  # the document's identity, relative to its anchor, with '/' separators


@dataclasses.dataclass
class Listing:
    found: list[Found] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    # The identities each named path covers: "" (everything), "safety/" (a folder) or a file's path.
    scopes: list[str] = dataclasses.field(default_factory=list)

    def unlistable(self, error: OSError) -> None:
        self.problems.append(Problem(str(error.filename), 1, f"cannot list: {error.strerror or error}"))

    def covers(self, path: str) -> bool:
        """Whether a stored identity lies under one of the named paths: the knowledge base's root
        covers its own articles only, never another source's."""
        return any(
            (not scope and SOURCE_MARK not in path)
            or path == scope
            or (scope.endswith(("/", SOURCE_MARK)) and path.startswith(scope))
            for scope in self.scopes
        )


def _absolute(path: Path) -> Path:
    # Not resolved: a file's own location (not a symlink's target) decides its identity.
    return Path(os.path.abspath(path))


def source_of(path: str) -> str | None:
    """The source a stored identity names, or None for the knowledge base's own articles."""
    name, mark, _ = path.partition(SOURCE_MARK)
    return name if mark else None


def _anchor_for(given: Path, root: Path | None) -> tuple[Path, str]:
    """Where identities start, and the prefix naming their source ("" for the knowledge base)."""
    folder = _absolute(given if given.is_dir() else given.parent)
    if root is None:
        return folder, ""
    if folder.is_relative_to(_absolute(root)):
        return _absolute(root), ""
    name = folder.name.replace(SOURCE_MARK, "-") or "root"
    return folder, name + SOURCE_MARK


def _identity(file: Path, anchor: Path, prefix: str) -> str:
    return prefix + _absolute(file).relative_to(anchor).as_posix()


def find_markdown(paths: list[Path], *, root: Path | None = None) -> Listing:
    """Every markdown file named or found under `paths` (symlinked folders are not followed, so a
    loop cannot trap the walk), sorted by identity; what could not be listed is a problem."""
    listing = Listing()
    seen: set[str] = set()
    for given in paths:
        if not given.exists() and not given.is_symlink():
            listing.problems.append(Problem(given.as_posix(), 1, "no such file or folder"))
            continue
        anchor, prefix = _anchor_for(given, root)
        if given.is_dir():
            scope = _identity(given, anchor, "")
            listing.scopes.append(prefix + ("" if scope == "." else scope + "/"))
            files: list[Path] = []
            for folder, _, names in os.walk(given, followlinks=False, onerror=listing.unlistable):
                files.extend(Path(folder) / name for name in names if name.lower().endswith(SUFFIXES))
        else:
            files = [given]
            listing.scopes.append(_identity(given, anchor, prefix))
        for file in files:
            path = _identity(file, anchor, prefix)
            if not prefix and SOURCE_MARK in path:
                listing.problems.append(
                    Problem(file.as_posix(), 1, f"a path with '{SOURCE_MARK}' (it names another source)")
                )
                continue
            if path not in seen:
                seen.add(path)
                listing.found.append(Found(file, path))
    listing.found.sort(key=lambda f: f.path)
    return listing


def read_text(file: Path) -> str:
    """The file's text, or DocumentInvalid naming the file: unreadable, binary or not UTF-8."""
    shown = file.as_posix()
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DocumentInvalid([Problem(shown, 1, f"cannot read: {exc.strerror or exc}")]) from None
    if b"\x00" in data:
        raise DocumentInvalid([Problem(shown, 1, "a binary file, not markdown text")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentInvalid([Problem(shown, line, f"not UTF-8 text (byte {exc.start})")]) from None


def check(paths: list[Path], *, strict: bool = False) -> tuple[int, list[Problem], list[Problem]]:
    """(documents checked, problems that leave a document out, warnings). With `strict`, every
    warning is a problem: the rules our own authors follow."""
    listing = find_markdown(paths)
    problems = list(listing.problems)
    warnings: list[Problem] = []
    for found in listing.found:
        shown = found.file.as_posix()
        try:
            reading = read(shown, read_text(found.file))
        except DocumentInvalid as exc:
            problems.extend(exc.problems)
            continue
        # What ingest would add to the warnings: a dive site it could not add, from the same code.
        notes = [Problem(shown, 1, note) for note in places_of(reading.document).notes]
        (problems if strict else warnings).extend([*reading.warnings, *notes])
    return len(listing.found) + len(listing.problems), problems, warnings
