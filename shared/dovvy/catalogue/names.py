"""Places a message may name that the knowledge base may lack: anywhere in the world
(world_places.yaml), and the text without them. chat/coverage.py tells a diver plainly when no
article mentions the place they ask about."""

from __future__ import annotations

import functools
import re

from dovvy.catalogue import _mentions, load, read_data


@functools.cache
def world_places() -> tuple[str, ...]:
    """Every place name a diver might ask about (catalogue/world_places.yaml and the catalogue's own
    places and destinations), longest first."""
    data = read_data("world_places.yaml")
    names = {*data["countries"], *data["regions"], *(place for place, _ in load().country_places)}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def places_named(text: str) -> tuple[str, ...]:
    """The places `text` names, a longer name taking its words from shorter ones in it."""
    lowered, found = text.lower(), []
    for name in world_places():
        if _mentions(lowered, name):
            found.append(name)
            lowered = lowered.replace(name, " ")
    return tuple(found)


def without(text: str, names: tuple[str, ...]) -> str:
    """`text` in lower case with `names` left out as whole words."""
    lowered = text.lower()
    for name in sorted(names, key=len, reverse=True):
        lowered = re.sub(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", " ", lowered)
    return " ".join(lowered.split())


def without_places(text: str) -> str:
    """`text` in lower case with every place it names left out (any country or region, a catalogue
    destination or site): what it asks, wherever."""
    ours = (name for place in load().destinations for name in (*place.aliases, *place.site_aliases))
    return without(text, (*places_named(text), *ours))
