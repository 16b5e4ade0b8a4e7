"""Places and things a message may name that the knowledge base may lack: anywhere in the world
(world_places.yaml), kinds of diving, courses, organisations, equipment, creatures and wrecks
(things.yaml), and the text without them. chat/coverage.py tells a diver plainly when no article
mentions the place or thing they ask about."""

from __future__ import annotations

import dataclasses
import functools
import re

from dovvy.catalogue import destinations_named, load, read_data
from dovvy.text import WORD, PhraseTable


@functools.cache
def world_places() -> tuple[str, ...]:
    """Every place name a diver might ask about (catalogue/world_places.yaml, the named wrecks and
    underwater features of catalogue/things.yaml and the catalogue's own places and destinations),
    longest first."""
    data = read_data("world_places.yaml")
    names = {*data["countries"], *data["regions"], *(place for place, _ in load().country_places)}
    # Named wrecks and underwater features are places too: "stoney cove" beside Malta is a past dive.
    names |= {str(name) for name in read_data("things.yaml")["wrecks_and_features"]}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def _whole_words(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern finding any of `names` as whole words in lower-case text, a longer name first
    ("papua new guinea", not "guinea"), its words apart by anything but letters and digits, as
    `PhraseTable` finds them ("sharm el sheikh" for "sharm el-sheikh")."""
    spelled = ("[^a-z0-9]+".join(map(re.escape, WORD.findall(name))) for name in names)
    alternatives = "|".join(sorted(filter(None, spelled), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


@functools.cache
def _other_scripts() -> tuple[tuple[str, str], ...]:
    """(name, English name) for the names written in no Latin letters, longest first."""
    others = ((name, english) for name, english in load().other_names.items() if not WORD.search(name))
    return tuple(sorted(others, key=lambda pair: -len(pair[0])))


@functools.cache
def _place_table() -> PhraseTable:
    latin = (name for name in load().other_names if WORD.search(name))
    return PhraseTable.of((*world_places(), *latin))


def places_named(text: str) -> tuple[str, ...]:
    """The places `text` names, by their English names whatever language it names them in
    ("モルディブ", "maldivas": "maldives"), longest first, a longer name taking its words from
    shorter ones."""
    other_names = load().other_names
    found = {other_names.get(name, name) for name in _place_table().find(text)}
    if not text.isascii():
        rest = text.lower()
        for name, english in _other_scripts():
            if name in rest:
                found.add(english)
                rest = rest.replace(name, " ")
    return _longest_first(found)


@functools.cache
def things() -> tuple[str, ...]:
    """Every thing a diver might ask about by name (catalogue/things.yaml) but the wrecks and
    features, which are places (`world_places`), longest first."""
    data = read_data("things.yaml")
    return _longest_first(
        {str(name) for kind, names in data.items() if kind != "wrecks_and_features" for name in names}
    )


@functools.cache
def _thing_table() -> PhraseTable:
    return PhraseTable.of(things())


def things_named(text: str) -> tuple[str, ...]:
    """The things `text` names, in the order it names them (what is asked about usually comes
    first: "what is snuba, scuba with a long hose?"), a longer name taking its words from shorter
    ones."""
    return _thing_table().find(text)


def without(text: str, names: tuple[str, ...]) -> str:
    """`text` in lower case with `names` left out as whole words."""
    lowered = _whole_words(names).sub(" ", text.lower()) if names else text.lower()
    return " ".join(lowered.split())


def without_places(text: str) -> str:
    """`text` in lower case with every place it names left out (any country or region, a catalogue
    destination or site): what it asks, wherever."""
    ours = (name for place in load().destinations for name in (*place.aliases, *place.site_aliases))
    return without(text, (*places_named(text), *ours))


@dataclasses.dataclass(frozen=True)
class Subject:
    """The place names a text is about, and every other place name; both empty when it names none."""

    here: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()


def subject(text: str) -> Subject:
    """Where `text` is about: the places it names, the aliases and sites of the catalogue
    destinations it names or that lie in a country or region it names, and the names of those
    countries and their regions (a Tioman question is about Malaysia, not about Perhentian); and
    every other place name."""
    catalogue = load()
    ours = {d.code: (*d.aliases, *d.site_aliases) for d in catalogue.destinations}
    of_destinations = {alias for aliases in ours.values() for alias in aliases}
    named = places_named(text)
    around = {
        code for place, code in catalogue.country_places if place in named and place not in of_destinations
    }
    codes = set(destinations_named(text))
    codes |= {d.code for d in catalogue.destinations if d.country in around}
    if not named and not codes:
        return Subject()
    countries = around | {d.country for d in catalogue.destinations if d.code in codes}
    here = {*named, *(alias for code in codes for alias in ours[code])}
    here |= {p for p, code in catalogue.country_places if code in countries and p not in of_destinations}
    return Subject(_longest_first(here), _longest_first({*world_places(), *of_destinations} - here))


def _longest_first(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda n: (-len(n), n)))
