"""The domain catalogue: certification levels, destinations and emergency numbers, each in one place.

The data lives in YAML files shipped inside the package (so deployed functions have them), is
validated the first time it is read (`load()`, called at start-up by every app), and everything
that names a level, a place or an emergency number reads it from here.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DESTINATIONS_FILE = Path(str(resources.files(__name__).joinpath("destinations.yaml")))


class CatalogueError(Exception):
    """A catalogue file is unreadable or invalid; the message names the file and the field."""


@dataclasses.dataclass(frozen=True)
class Level:
    name: str
    code: str  # the short form clients keep ("OW", "AOW", "DM")
    rank: int
    depth_limit_m: int
    aliases: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class EmergencyContacts:
    country: str  # display name, "" for the default
    emergency: str
    diving_line: str
    coast_guard: str
    chambers: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Place:
    code: str
    display_name: str
    country: str
    aliases: tuple[str, ...]
    sites: tuple[str, ...] = ()  # dive-site names


@dataclasses.dataclass(frozen=True)
class Catalogue:
    agencies: tuple[str, ...]
    levels: tuple[Level, ...]
    default_contacts: EmergencyContacts
    contacts: dict[str, EmergencyContacts]  # by country code
    country_places: tuple[tuple[str, str], ...]  # (place word, country code), longest first
    destinations: tuple[Place, ...]


# --- file schemas -------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Level(_Strict):
    name: str = Field(min_length=1)
    code: str = Field(min_length=1, max_length=20)
    depth_limit_m: int = Field(ge=0, le=130)
    aliases: list[str] = Field(default_factory=list)


class _Certifications(_Strict):
    agencies: list[str] = Field(min_length=1)
    levels: list[_Level] = Field(min_length=2)


class _Contacts(_Strict):
    emergency: str = Field(min_length=1)
    diving_line: str = Field(min_length=1)
    coast_guard: str = Field(min_length=1)


class _Country(_Contacts):
    code: str = Field(pattern=r"^[a-z-]+$")
    name: str = Field(min_length=1)
    chambers: list[str] = Field(default_factory=list)
    places: list[str] = Field(min_length=1)


class _Emergency(_Strict):
    default: _Contacts
    countries: list[_Country] = Field(min_length=1)


class _SiteName(BaseModel):
    name: str


class _DestinationNames(BaseModel):
    # Only the naming fields; the seed (dovvy.seed) validates the rest of each destination.
    code: str
    name: str
    display_name: str | None = None
    country: str
    aliases: list[str] = Field(default_factory=list)
    sites: list[_SiteName] = Field(default_factory=list)


class _DestinationsFile(BaseModel):
    destinations: list[_DestinationNames] = Field(min_length=1)


def _read(name: str, schema: type[BaseModel]) -> Any:
    import yaml

    source = resources.files(__name__).joinpath(name)
    try:
        return schema.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"catalogue/{name}: cannot read ({exc})") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise CatalogueError(f"catalogue/{name}: {problems}") from None


def _lower(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))


@functools.cache
def load() -> Catalogue:
    """The validated catalogue (read once per process)."""
    certs: _Certifications = _read("certifications.yaml", _Certifications)
    emergency: _Emergency = _read("emergency.yaml", _Emergency)
    destinations: _DestinationsFile = _read("destinations.yaml", _DestinationsFile)
    levels = tuple(
        Level(level.name, level.code, rank, level.depth_limit_m, _lower([level.name, *level.aliases]))
        for rank, level in enumerate(certs.levels)
    )
    contacts = {
        c.code: EmergencyContacts(c.name, c.emergency, c.diving_line, c.coast_guard, tuple(c.chambers))
        for c in emergency.countries
    }
    by_name = {c.name.lower(): c.code for c in emergency.countries}
    places: list[tuple[str, str]] = [(p, c.code) for c in emergency.countries for p in _lower(c.places)]
    unknown = [d.code for d in destinations.destinations if d.country.lower() not in by_name]
    if unknown:
        raise CatalogueError(
            f"catalogue/emergency.yaml: no country entry for destinations {', '.join(unknown)}"
        )
    catalogue = Catalogue(
        agencies=tuple(certs.agencies),
        levels=levels,
        default_contacts=EmergencyContacts("", **emergency.default.model_dump()),
        contacts=contacts,
        country_places=tuple(sorted(set(places), key=lambda p: -len(p[0]))),
        destinations=tuple(
            Place(
                d.code,
                d.display_name or d.name,
                by_name[d.country.lower()],
                _lower([d.code, *d.aliases]),
                tuple(site.name for site in d.sites),
            )
            for d in destinations.destinations
        ),
    )
    return catalogue


# --- look-ups -----------------------------------------------------------------------------------


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def level(name: str | None) -> Level | None:
    """The level a name or abbreviation stands for ("AOW", "Advanced Open Water", "dm")."""
    if not name:
        return None
    wanted = " ".join(name.lower().replace("_", " ").split())
    return next((lv for lv in load().levels if wanted in lv.aliases or wanted == lv.code.lower()), None)


def level_names() -> tuple[str, ...]:
    return tuple(lv.name for lv in load().levels)


def depth_limit(name: str | None) -> int | None:
    found = level(name)
    return found.depth_limit_m if found else None


def destination_in(text: str) -> str | None:
    """The code of the first catalogue destination named in `text`, or None."""
    lowered = text.lower()
    for place in load().destinations:
        if any(_mentions(lowered, alias) for alias in place.aliases):
            return place.code
    return None


def display_name(destination_code: str) -> str:
    place = next((p for p in load().destinations if p.code == destination_code), None)
    return place.display_name if place else destination_code


def contacts_for(*texts: str | None) -> EmergencyContacts:
    """Emergency contacts for the first place named in any of `texts` (a message, a profile's
    destination...), or the general ones when none is known."""
    catalogue = load()
    for text in texts:
        if not text:
            continue
        lowered = text.lower()
        for place, country in catalogue.country_places:
            if _mentions(lowered, place):
                return catalogue.contacts[country]
    return catalogue.default_contacts
