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
        conn.run(
            """
            INSERT INTO dive_sites (destination_id, code, name, min_depth_m, max_depth_m, difficulty,
                                    min_certification, tags, description)
            VALUES (:destination_id, :code, :name, :min_depth, :max_depth, :difficulty,
                    :min_certification, CAST(:tags AS text[]), :description)
            ON CONFLICT (code) DO UPDATE SET
                destination_id = EXCLUDED.destination_id, name = EXCLUDED.name,
                min_depth_m = EXCLUDED.min_depth_m, max_depth_m = EXCLUDED.max_depth_m,
                difficulty = EXCLUDED.difficulty, min_certification = EXCLUDED.min_certification,
                tags = EXCLUDED.tags, description = EXCLUDED.description, updated_at = now()
            """,
            destination_id=destination_id,
            code=site.code,
            name=site.name,
            min_depth=Decimal(str(site.min_depth_m)),
            max_depth=Decimal(str(site.max_depth_m)),
            difficulty=site.difficulty,
            min_certification=site.min_certification,
            tags=site.tags,
            description=site.description,
        )
    conn.run(
        "DELETE FROM dive_sites WHERE destination_id = :id AND NOT (code = ANY(CAST(:codes AS text[])))",
        id=destination_id,
        codes=[site.code for site in destination.sites],
    )
    return destination_id


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
