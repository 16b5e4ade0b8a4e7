"""The destination and dive site an article describes, as rows for the trip agent's tables.

A dive-site article with a site id, a depth range and a minimum certification becomes a dive site
(so a bucket upload adds a site that chat's depth notes and filters know); a destination that the
catalogue does not know becomes a destination. The catalogue's own rows always win.
"""

from __future__ import annotations

import dataclasses
import re

from dovvy import catalogue
from dovvy.db.destinations import Destination, DiveSite
from dovvy.knowledge.documents import Document

_SITE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_DIFFICULTY_BY_RANK = ("beginner", "beginner", "intermediate")  # none, Open Water, Advanced; then advanced


@dataclasses.dataclass(frozen=True)
class Places:
    destination: Destination | None  # one to add (unknown to the catalogue), or None
    site: DiveSite | None
    notes: tuple[str, ...] = ()  # why a site could not be added


def _new_destination(document: Document, code: str) -> Destination:
    named = str(document.metadata.get("destination_name", code))
    name, _, country = named.partition(",")
    metadata = document.metadata
    return Destination(
        code=code,
        name=name.strip(),
        country=(country.strip() or str(metadata.get("country", ""))) or "Unknown",
        region=str(metadata.get("region", "")),
        description=document.description if document.doc_type == "destination" else "",
        best_months=None,
        water_temp_c=None,
    )


def places_of(document: Document) -> Places:
    code = document.metadata.get("destination")
    if document.doc_type not in ("destination", "dive_site") or not isinstance(code, str) or not code:
        return Places(None, None)
    known = any(place.code == code for place in catalogue.load().destinations)
    destination = None if known else _new_destination(document, code)
    if document.doc_type != "dive_site":
        return Places(destination, None)
    site, notes = _site(document, code)
    return Places(destination, site, notes)


def _site(document: Document, destination_code: str) -> tuple[DiveSite | None, tuple[str, ...]]:
    metadata = document.metadata
    site_id = str(metadata.get("site_id", ""))
    depth = metadata.get("depth_range_m")
    level = catalogue.level(str(metadata.get("min_certification", "")))
    missing = [
        what
        for what, ok in (
            ("a 'site_id' of lower-case letters, digits and dashes", _SITE_ID.match(site_id)),
            ("'depth_range_m'", isinstance(depth, list)),
            ("a known 'min_certification'", level is not None),
        )
        if not ok
    ]
    if missing or level is None or not isinstance(depth, list):
        return None, (f"not added as a dive site: needs {', '.join(missing)}",)
    difficulty = str(metadata.get("difficulty", "")).lower()
    if difficulty not in ("beginner", "intermediate", "advanced"):
        difficulty = _DIFFICULTY_BY_RANK[level.rank] if level.rank < len(_DIFFICULTY_BY_RANK) else "advanced"
    site = DiveSite(
        code=site_id,
        name=document.title,
        destination_code=destination_code,
        min_depth_m=float(depth[0]),
        max_depth_m=float(depth[1]),
        difficulty=difficulty,
        min_certification=level.name,
        tags=list(document.tags),
        description=document.description,
    )
    return site, ()
