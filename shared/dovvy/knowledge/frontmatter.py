"""Frontmatter as authors write it, read into the fields we index.

Two formats meet here: ours (`content/README` in this repository: title, description, doc_type,
tags, and for places destination, min_certification, depth_range_m, site_id) and the one the
DovvyBuddy web app's knowledge base uses (doc types such as `certification_training` or
`equivalency`, `keywords` instead of `tags`, `cert_level: AOW`, `destination: 'Tioman Island,
Malaysia'`, `last_updated`, `data_quality`, `sources`). Whatever can be understood is mapped onto our
fields, with the original kept in metadata; whatever cannot is a warning, never a reason to lose the
article. `dovvy validate --strict` turns the warnings into errors for our own authors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from dovvy import catalogue

# Bump when the way fields are read changes, so the next ingest re-reads unchanged files.
READING_VERSION = 1
DOC_TYPES = ("certification", "destination", "dive_site", "safety", "skill", "general")
PLACE_FIELDS = ("destination", "min_certification", "depth_range_m")
DIFFICULTIES = ("beginner", "intermediate", "advanced")

# Families of doc types other authors use, by prefix or name, mapped onto ours.
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("certification", "certification"),
    ("course", "certification"),
    ("equivalen", "certification"),
    ("agency", "certification"),
    ("dive_site", "dive_site"),
    ("site", "dive_site"),
    ("destination", "destination"),
    ("location", "destination"),
    ("safety", "safety"),
    ("emergency", "safety"),
    ("medical", "safety"),
    ("skill", "skill"),
    ("technique", "skill"),
    ("equipment", "skill"),
    ("faq", "general"),
    ("guide", "general"),
    ("general", "general"),
)
# Folder names that say what a document is when its frontmatter does not.
_FOLDERS: tuple[tuple[str, str], ...] = (
    ("certification", "certification"),
    ("course", "certification"),
    ("equivalenc", "certification"),
    ("site", "dive_site"),
    ("destination", "destination"),
    ("safety", "safety"),
    ("emergenc", "safety"),
    ("skill", "skill"),
    ("general", "general"),
)
_IDENTIFIER_TITLE = re.compile(r"^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+$")


@dataclasses.dataclass(frozen=True)
class Fields:
    title: str
    description: str
    doc_type: str
    tags: tuple[str, ...]
    metadata: dict[str, Any]


Warn = Callable[[str, str], None]  # (frontmatter key or "", message)


def read(front: dict[str, Any], *, path: str, first_heading: str, first_paragraph: str, warn: Warn) -> Fields:
    """Our fields from any supported frontmatter. `warn` hears about everything that was guessed,
    mapped or dropped. Raises ValueError when there is neither a title nor a heading."""
    title = _title(front, first_heading, warn)
    doc_type = _doc_type(front, path, warn)
    metadata: dict[str, Any] = {
        key: _plain(value)
        for key, value in front.items()
        if key not in {"title", "description", "doc_type", "tags"}
    }
    if front.get("doc_type") not in (None, doc_type):
        metadata["source_doc_type"] = str(front["doc_type"])
    _place_fields(front, doc_type, metadata, warn)
    _certification_fields(front, metadata, warn)
    if "sources" in metadata:
        metadata["sources"] = _sources(metadata["sources"], warn)
    return Fields(
        title=title,
        description=_description(front, first_paragraph, warn),
        doc_type=doc_type,
        tags=_tags(front, warn),
        metadata=metadata,
    )


# A source is a name ("DAN Diving Medicine") or a web link; any other scheme (javascript:, data:,
# file:) would reach the web app as a link it may render.
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _sources(value: Any, warn: Warn) -> list[str]:
    items = value if isinstance(value, list) else [value]
    kept = []
    for item in items:
        text = str(item).strip()
        scheme = _SCHEME.match(text)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            warn("sources", f"source '{text[:60]}' dropped: only http(s) links or plain names are cited")
        elif text:
            kept.append(text)
    return kept


def is_citable(source: str) -> bool:
    """Whether a stored source may be sent as a citation (stored before this check existed)."""
    scheme = _SCHEME.match(source)
    return scheme is None or scheme.group(1).lower() in ("http", "https")


def _title(front: dict[str, Any], first_heading: str, warn: Warn) -> str:
    raw = front.get("title")
    if isinstance(raw, str | int | float) and str(raw).strip():
        title = str(raw).strip()
    elif first_heading:
        warn("title", "no 'title'; the first heading is used")
        title = first_heading
    else:
        raise ValueError("no title and no heading: nothing to call this document")
    # "AOW_Overview_and_Privileges" is a file name, not a title a diver reads.
    return title.replace("_", " ") if _IDENTIFIER_TITLE.match(title) else title


def _description(front: dict[str, Any], first_paragraph: str, warn: Warn) -> str:
    raw = front.get("description")
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    warn("description", "no 'description'; the first paragraph is used")
    words = first_paragraph.split()
    text = " ".join(words[:50])
    return text + ("…" if len(words) > 50 else "")


def _tags(front: dict[str, Any], warn: Warn) -> tuple[str, ...]:
    for key in ("tags", "keywords"):
        raw = front.get(key)
        if isinstance(raw, str):
            warn(key, f"'{key}' should be a list of text; read as comma-separated")
            raw = raw.split(",")
        if isinstance(raw, list) and raw:
            tags = tuple(dict.fromkeys(str(t).strip() for t in raw if str(t).strip()))
            if key == "keywords":
                warn("tags", "no 'tags'; 'keywords' are used")
            elif not all(isinstance(t, str) for t in front[key]):
                warn("tags", "'tags' should be a list of text")
            return tags
    warn("tags", "no 'tags'")
    return ()


def _doc_type(front: dict[str, Any], path: str, warn: Warn) -> str:
    raw = front.get("doc_type")
    given = str(raw).strip().lower() if raw is not None else ""
    if given in DOC_TYPES:
        return given
    mapped = next((ours for prefix, ours in _FAMILIES if given.startswith(prefix)), None)
    if mapped is None:
        mapped = _inferred_type(front, path)
        reason = f"doc_type '{raw}' is not one of ours" if given else "no 'doc_type'"
        warn("doc_type", f"{reason}; read as '{mapped}' from its folder and fields")
    else:
        warn("doc_type", f"doc_type '{raw}' read as '{mapped}'")
    if mapped == "destination" and "site_id" in front:
        return "dive_site"
    return mapped


def _inferred_type(front: dict[str, Any], path: str) -> str:
    if "site_id" in front:
        return "dive_site"
    folders = [part.lower() for part in path.split("/")[:-1]]
    for folder in reversed(folders):
        found = next((ours for stem, ours in _FOLDERS if stem in folder), None)
        if found:
            return found
    if "destination" in front:
        return "destination"
    if any(key in front for key in ("cert_level", "certification", "agency", "level")):
        return "certification"
    return "general"


def _place_fields(front: dict[str, Any], doc_type: str, metadata: dict[str, Any], warn: Warn) -> None:
    if doc_type in ("destination", "dive_site"):
        for key in PLACE_FIELDS:
            if key not in front:
                warn(key, f"a {doc_type} document usually has '{key}'")
        if doc_type == "dive_site" and "site_id" not in front:
            warn("site_id", "a dive_site document usually has 'site_id'")
    if "destination" in front:
        named = str(front["destination"])
        code = _destination_code(named)
        if code is None:
            code = slug(named.split(",", 1)[0])
            warn("destination", f"destination '{named}' is not in the catalogue; filed as '{code}'")
            metadata["destination"] = code
            metadata["destination_name"] = named
        else:
            metadata["destination"] = code
            if code != named:
                metadata["destination_name"] = named
    if "depth_range_m" in front:
        depth = front["depth_range_m"]
        if not (
            isinstance(depth, list)
            and len(depth) == 2
            and all(isinstance(d, int | float) and not isinstance(d, bool) for d in depth)
            and 0 <= depth[0] <= depth[1] <= 130
        ):
            warn("depth_range_m", "'depth_range_m' should be [shallowest, deepest] in metres; dropped")
            metadata.pop("depth_range_m", None)
    if "difficulty" in front and str(front["difficulty"]).lower() not in DIFFICULTIES:
        warn("difficulty", f"'difficulty' should be one of {', '.join(DIFFICULTIES)}; dropped")
        metadata.pop("difficulty", None)


def slug(text: str) -> str:
    """A code for a name: lower-case letters, digits and dashes ("Koh Tao" → "koh-tao")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100]


def _destination_code(named: str) -> str | None:
    if any(place.code == named for place in catalogue.load().destinations):
        return named
    return catalogue.destination_in(named)


def _certification_fields(front: dict[str, Any], metadata: dict[str, Any], warn: Warn) -> None:
    """`min_certification` gates filtering (a level name); `cert_level` says which course a
    certification article is about. Both accept names and abbreviations (OW, AOW, DM, Rescue). A
    `level` that names a certification counts as `cert_level`; any other (our own "specialty",
    "core") is left as it is."""
    if "min_certification" in front:
        found = catalogue.level(str(front["min_certification"]))
        if found is None:
            warn("min_certification", f"'min_certification' {front['min_certification']!r} {_UNKNOWN_LEVEL}")
            metadata.pop("min_certification", None)
        else:
            metadata["min_certification"] = found.name
    if "cert_level" in front:
        found = catalogue.level(str(front["cert_level"]))
        if found is None:
            warn("cert_level", f"'cert_level' {front['cert_level']!r} {_UNKNOWN_LEVEL}")
        else:
            metadata["certification_level"] = found.name
    elif "level" in front:
        found = catalogue.level(str(front["level"]))
        if found is not None:
            metadata["certification_level"] = found.name


_UNKNOWN_LEVEL = "is not a level we know (OW, AOW, Rescue, Deep, DM, Instructor, or their names); dropped"


def _plain(value: Any) -> Any:
    """A frontmatter value as JSON can hold it (YAML reads 2026-02-01 as a date)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
