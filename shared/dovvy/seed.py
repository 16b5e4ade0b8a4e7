"""Load the destinations and dive sites reference data from its YAML file, idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dovvy import catalogue
from dovvy.db import destinations as repo
from dovvy.db.pool import Connection


class SeedError(Exception):
    """The seed file is unreadable or invalid; the message names the file and the fields."""


class _Site(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    # What divers call it besides its name; read by the catalogue (routing), not stored.
    aliases: list[str] = Field(default_factory=list)
    min_depth_m: float = Field(ge=0, le=130)
    max_depth_m: float = Field(gt=0, le=130)
    difficulty: Literal["beginner", "intermediate", "advanced"]
    min_certification: str
    tags: list[str] = Field(default_factory=list)
    description: str = ""

    @field_validator("min_certification")
    @classmethod
    def _known_level(cls, value: str) -> str:
        found = catalogue.level(value)
        if found is None:
            raise ValueError(f"must be one of {', '.join(catalogue.level_names())}")
        return found.name

    @model_validator(mode="after")
    def _depths_in_order(self) -> _Site:
        if self.max_depth_m < self.min_depth_m:
            raise ValueError("max_depth_m is shallower than min_depth_m")
        return self


class _Destination(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    display_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    country: str
    region: str
    best_months: str | None = None
    water_temp_c: str | None = None
    description: str = ""
    sites: list[_Site] = Field(min_length=1)


class _SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    destinations: list[_Destination] = Field(min_length=1)


def load(path: Path) -> list[repo.Destination]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = _SeedFile.model_validate(raw)
    except OSError as exc:
        raise SeedError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise SeedError(f"{path}: {problems}") from None
    codes = [site.code for dest in parsed.destinations for site in dest.sites]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise SeedError(f"{path}: duplicate site codes {', '.join(duplicates)}")
    return [
        repo.Destination(
            code=d.code,
            name=d.name,
            country=d.country,
            region=d.region,
            description=d.description,
            best_months=d.best_months,
            water_temp_c=d.water_temp_c,
            sites=[
                repo.DiveSite(
                    code=s.code,
                    name=s.name,
                    destination_code=d.code,
                    min_depth_m=s.min_depth_m,
                    max_depth_m=s.max_depth_m,
                    difficulty=s.difficulty,
                    min_certification=s.min_certification,
                    tags=s.tags,
                    description=s.description,
                )
                for s in d.sites
            ],
        )
        for d in parsed.destinations
    ]


def apply(conn: Connection, destinations: list[repo.Destination]) -> tuple[int, int]:
    """Upsert every destination with its sites (call inside one transaction). Returns counts."""
    for destination in destinations:
        repo.upsert_destination(conn, destination)
    return len(destinations), sum(len(d.sites) for d in destinations)
