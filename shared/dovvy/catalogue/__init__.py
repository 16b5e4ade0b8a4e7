"""The domain catalogue: certification levels, destinations and emergency numbers, each in one place.

The data lives in YAML files shipped inside the package (so deployed functions have them), is
validated the first time it is read (`load()`, called at start-up by every app), and everything
that names a level, a place or an emergency number reads it from here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from dovvy.catalogue import shapes
from dovvy.shape import Shape, ShapeError, checked

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
    site_aliases: tuple[str, ...] = ()  # what divers call a site besides its name ("devil's throat")


@dataclasses.dataclass(frozen=True)
class Catalogue:
    agencies: tuple[str, ...]
    levels: tuple[Level, ...]
    default_contacts: EmergencyContacts
    contacts: dict[str, EmergencyContacts]  # by country code
    country_places: tuple[tuple[str, str], ...]  # (place word, country code), longest first
    destinations: tuple[Place, ...]
    # A place's name in another language -> its English name (world_places.yaml's
    # `in_other_languages`): "モルディブ" -> "maldives", "普吉" -> "phuket".
    other_names: dict[str, str]


# The YAML files parsed into JSON beside them (`scripts/package_functions.py`): a bundle reads the
# JSON, since parsing YAML in pure Python cost a function's first request ~40 ms.
PACKED_DATA = (
    *("certifications.yaml", "emergency.yaml", "destinations.yaml", "emergency_texts.yaml"),
    *("world_places.yaml", "concepts.yaml", "thesaurus.yaml", "things.yaml"),
)


def packed_name(name: str) -> str:
    return name.removesuffix(".yaml") + ".json"


def read_source(name: str) -> Any:
    """A catalogue YAML file's parsed content, from its source."""
    import yaml

    try:
        return yaml.safe_load(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"catalogue/{name}: cannot read ({exc})") from None


def bundled(name: str) -> Any | None:
    """The JSON file `name` a bundle carries beside the catalogue's sources (written by
    scripts/package_functions.py), parsed; None outside a bundle."""
    packed = resources.files(__name__).joinpath(name)
    return json.loads(packed.read_text(encoding="utf-8")) if packed.is_file() else None


def read_data(name: str) -> Any:
    """A catalogue file's parsed content: the packed JSON when a bundle carries it, else the YAML."""
    packed = bundled(packed_name(name))
    return read_source(name) if packed is None else packed


def _read(name: str, shape: Shape) -> dict[str, Any]:
    try:
        return checked(shape, read_data(name))
    except ShapeError as exc:
        raise CatalogueError(f"catalogue/{name}: {exc}") from None


def _lower(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))


def _site_aliases(destination: dict[str, Any]) -> list[str]:
    return [alias for site in destination.get("sites", []) for alias in site.get("aliases") or []]


def _country_places(
    destinations: list[Any], countries: list[Any], by_name: dict[str, str], other_names: dict[str, str]
) -> list[tuple[str, str]]:
    """(place, country code) for every word that names a place.

    One source for places: a destination's code and aliases, and its sites' aliases ("barracuda
    point" had the general numbers), name its country; emergency.yaml lists only the places no
    destination covers (a country's name, its other regions). A word in both could resolve to two
    countries (Misool went to Raja Ampat's and to the default numbers). A place's names in other
    languages (`other_names`) name its country as its English name does."""
    unknown = [d["code"] for d in destinations if d["country"].lower() not in by_name]
    if unknown:
        raise CatalogueError(
            f"catalogue/emergency.yaml: no country entry for destinations {', '.join(unknown)}"
        )
    named = {
        w: by_name[d["country"].lower()]
        for d in destinations
        for w in _lower([d["code"], *d.get("aliases", []), *_site_aliases(d)])
    }
    extra = [(p, c["code"]) for c in countries for p in _lower(c.get("places", []))]
    english = {**named, **dict(extra)}
    extra += [(name, english[place]) for name, place in other_names.items() if place in english]
    twice = sorted(p for p, _ in extra if p in named)
    if twice:
        raise CatalogueError(
            f"catalogue/emergency.yaml: {', '.join(twice)} already named by destinations.yaml; "
            "list each place once"
        )
    return [*named.items(), *extra]


@functools.cache
def load() -> Catalogue:
    """The validated catalogue (read once per process)."""
    certs = _read("certifications.yaml", shapes.CERTIFICATIONS)
    emergency = _read("emergency.yaml", shapes.EMERGENCY)
    destinations = _read("destinations.yaml", shapes.DESTINATIONS)["destinations"]
    countries = emergency["countries"]
    by_name = {c["name"].lower(): c["code"] for c in countries}
    spelled = read_data("world_places.yaml")["in_other_languages"]
    other_names = {name: str(place) for place, names in spelled.items() for name in _lower(names)}
    places = _country_places(destinations, countries, by_name, other_names)
    return Catalogue(
        agencies=tuple(certs["agencies"]),
        levels=tuple(
            Level(
                lv["name"],
                lv["code"],
                rank,
                lv["depth_limit_m"],
                _lower([lv["name"], *lv.get("aliases", [])]),
            )
            for rank, lv in enumerate(certs["levels"])
        ),
        default_contacts=EmergencyContacts("", **emergency["default"]),
        contacts={
            c["code"]: EmergencyContacts(
                c["name"], c["emergency"], c["diving_line"], c["coast_guard"], tuple(c.get("chambers", ()))
            )
            for c in countries
        },
        country_places=tuple(sorted(set(places), key=lambda p: -len(p[0]))),
        destinations=tuple(
            Place(
                d["code"],
                d.get("display_name") or d["name"],
                by_name[d["country"].lower()],
                _lower([d["code"], *d.get("aliases", [])]),
                tuple(site["name"] for site in d.get("sites", [])),
                _lower(_site_aliases(d)),
            )
            for d in destinations
        ),
        other_names=other_names,
    )


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
    """The code of the first catalogue destination named in `text` (a site's name names its
    destination), or None."""
    named = destinations_named(text)
    return named[0] if named else None


def destinations_named(text: str) -> tuple[str, ...]:
    """The codes of every catalogue destination `text` names (a site's name names its destination)."""
    lowered = text.lower()
    return tuple(
        place.code
        for place in load().destinations
        if any(_mentions(lowered, a) for a in (*place.aliases, *place.site_aliases))
    )


def destinations_in_country(text: str) -> tuple[Place, ...]:
    """The catalogue's destinations in the country `text` names when it names no destination
    ("diving in malaysia in may" -> Tioman, Perhentian and Redang, Sipadan); () otherwise."""
    if destination_in(text) is not None:
        return ()
    catalogue = load()
    lowered = text.lower()
    country = next((code for place, code in catalogue.country_places if _mentions(lowered, place)), None)
    return tuple(d for d in catalogue.destinations if d.country == country) if country else ()


def country_of(place: str) -> str | None:
    """The catalogue's country code for a place it lists, if any."""
    return next((code for name, code in load().country_places if name == place), None)


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
