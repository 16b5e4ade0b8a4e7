"""The destinations and dive sites repository: reference data seeded from the catalogue."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from dovvy.db.pool import Connection


@dataclasses.dataclass(frozen=True)
class DiveSite:
    code: str
    name: str
    destination_code: str
    min_depth_m: float
    max_depth_m: float
    difficulty: str
    min_certification: str
    tags: list[str]
    description: str


@dataclasses.dataclass(frozen=True)
class Destination:
    code: str
    name: str
    country: str
    region: str
    description: str
    best_months: str | None
    water_temp_c: str | None
    sites: list[DiveSite] = dataclasses.field(default_factory=list)


def upsert_destination(conn: Connection, destination: Destination) -> int:
    """Insert or update a destination and its sites; sites no longer listed are removed."""
    rows = conn.run(
        """
        INSERT INTO destinations (code, name, country, region, description, best_months, water_temp_c)
        VALUES (:code, :name, :country, :region, :description, :best_months, :water_temp_c)
        ON CONFLICT (code) DO UPDATE SET
            name = EXCLUDED.name, country = EXCLUDED.country, region = EXCLUDED.region,
            description = EXCLUDED.description, best_months = EXCLUDED.best_months,
            water_temp_c = EXCLUDED.water_temp_c, updated_at = now()
        RETURNING id
        """,
        code=destination.code,
        name=destination.name,
        country=destination.country,
        region=destination.region,
        description=destination.description,
        best_months=destination.best_months,
        water_temp_c=destination.water_temp_c,
    )
    destination_id: int = rows[0][0]
    for site in destination.sites:
        _upsert_site(conn, site, source_path=None)
    # Sites that articles added (source_path set) are theirs to keep or remove.
    conn.run(
        "DELETE FROM dive_sites WHERE destination_id = :id AND source_path IS NULL "
        "AND NOT (code = ANY(CAST(:codes AS text[])))",
        id=destination_id,
        codes=[site.code for site in destination.sites],
    )
    return destination_id


def ensure_destination(conn: Connection, destination: Destination, *, source_path: str) -> None:
    """Add a destination an article names that nobody has added yet; an existing one is left as it is."""
    conn.run(
        """
        INSERT INTO destinations (code, name, country, region, description, source_path)
        VALUES (:code, :name, :country, :region, :description, :source_path)
        ON CONFLICT (code) DO NOTHING
        """,
        code=destination.code,
        name=destination.name,
        country=destination.country,
        region=destination.region,
        description=destination.description,
        source_path=source_path,
    )


def _upsert_site(conn: Connection, site: DiveSite, *, source_path: str | None) -> bool:
    """Insert or update a site under its destination (by code; it must exist). The catalogue's
    rows (no source path) are overwritten only by the catalogue, never by an article."""
    rows = conn.run(
        """
        INSERT INTO dive_sites (destination_id, code, name, min_depth_m, max_depth_m, difficulty,
                                min_certification, tags, description, source_path)
        SELECT d.id, :code, :name, :min_depth, :max_depth, :difficulty, :min_certification,
               CAST(:tags AS text[]), :description, :source_path
        FROM destinations d WHERE d.code = :destination
        ON CONFLICT (code) DO UPDATE SET
            destination_id = EXCLUDED.destination_id, name = EXCLUDED.name,
            min_depth_m = EXCLUDED.min_depth_m, max_depth_m = EXCLUDED.max_depth_m,
            difficulty = EXCLUDED.difficulty, min_certification = EXCLUDED.min_certification,
            tags = EXCLUDED.tags, description = EXCLUDED.description,
            source_path = EXCLUDED.source_path, updated_at = now()
        WHERE EXCLUDED.source_path IS NULL OR dive_sites.source_path IS NOT NULL
        RETURNING 1
        """,
        destination=site.destination_code,
        code=site.code,
        name=site.name,
        min_depth=Decimal(str(site.min_depth_m)),
        max_depth=Decimal(str(site.max_depth_m)),
        difficulty=site.difficulty,
        min_certification=site.min_certification,
        tags=site.tags,
        description=site.description,
        source_path=source_path,
    )
    return bool(rows)


def upsert_article_site(conn: Connection, site: DiveSite, *, source_path: str) -> bool:
    """Add or update the site an article describes, under its destination (which must exist). A
    catalogue site with the same code wins: it is not overwritten. Returns whether it was written."""
    return _upsert_site(conn, site, source_path=source_path)


def remove_article_places(conn: Connection, source_path: str, *, keep_site: str | None = None) -> None:
    """Remove what an article added (except `keep_site`, which it still describes), and a
    destination it added once no site is left under it."""
    conn.run(
        "DELETE FROM dive_sites WHERE source_path = :path AND code IS DISTINCT FROM :keep",
        path=source_path,
        keep=keep_site,
    )
    conn.run(
        "DELETE FROM destinations d WHERE d.source_path = :path "
        "AND NOT EXISTS (SELECT 1 FROM dive_sites s WHERE s.destination_id = d.id)",
        path=source_path,
    )


_SITE_COLUMNS = """s.code, s.name, d.code, s.min_depth_m, s.max_depth_m, s.difficulty,
    s.min_certification, s.tags, s.description"""


def _site(row: list[Any]) -> DiveSite:
    code, name, dest, min_d, max_d, difficulty, cert, tags, description = row
    return DiveSite(code, name, dest, float(min_d), float(max_d), difficulty, cert, tags, description)


def list_destinations(conn: Connection) -> list[Destination]:
    rows = conn.run(
        "SELECT code, name, country, region, description, best_months, water_temp_c "
        "FROM destinations ORDER BY name"
    )
    sites = conn.run(
        f"SELECT {_SITE_COLUMNS} FROM dive_sites s JOIN destinations d ON d.id = s.destination_id "
        "ORDER BY s.max_depth_m, s.name"
    )
    by_destination: dict[str, list[DiveSite]] = {}
    for row in sites:
        site = _site(row)
        by_destination.setdefault(site.destination_code, []).append(site)
    return [
        Destination(
            code=code,
            name=name,
            country=country,
            region=region,
            description=description,
            best_months=best_months,
            water_temp_c=water_temp_c,
            sites=by_destination.get(code, []),
        )
        for code, name, country, region, description, best_months, water_temp_c in rows
    ]


def sites_for_destination(conn: Connection, destination_code: str) -> list[DiveSite]:
    rows = conn.run(
        f"SELECT {_SITE_COLUMNS} FROM dive_sites s JOIN destinations d ON d.id = s.destination_id "
        "WHERE d.code = :code ORDER BY s.max_depth_m, s.name",
        code=destination_code,
    )
    return [_site(row) for row in rows]
