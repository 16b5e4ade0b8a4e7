"""Places and things the knowledge base does not cover, said plainly. A message that names places
(any country, or an island, region, town or dive area divers travel to: catalogue/world_places.yaml)
none of which any article mentions is told that there is no guide to it, and what the knowledge
base does cover nearby, instead of being answered from tangential passages (a Red Sea guide for the
Maldives). Likewise a thing asked about by name (sidemount, a freediving card, a camera brand:
catalogue/things.yaml) that no article mentions in any of its forms."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from dovvy import catalogue
from dovvy.catalogue import concepts, names

# Words that say what kind of name it is, not what it names: "sidemount diving" is covered where
# an article says "sidemount".
_KIND_WORDS = frozenset(
    {"diving", "diver", "divers", "dive", "course", "specialty", "speciality", "certification"}
)


@dataclasses.dataclass(frozen=True)
class NotCovered:
    place: str  # as named, in lower case
    nearby: tuple[str, ...]  # display names of the catalogue's destinations in the same country


def not_covered(message: str, mentioned: Callable[[str], bool]) -> NotCovered | None:
    """The first place `message` names when no article mentions any of the places it names; None
    when it names none, or when one of them is covered (a diver's past trip named in passing does
    not stop a question about a place we know)."""
    named = names.places_named(message)
    # A destination the catalogue lists has its guide, however the articles spell it, and so has
    # each of its sites ("got my aow in tenerife, can I do the devils throat").
    if not named or catalogue.destinations_named(message) or any(mentioned(place) for place in named):
        return None
    country = catalogue.country_of(named[0])
    nearby = tuple(d.display_name for d in catalogue.load().destinations if country and d.country == country)
    return NotCovered(named[0], nearby)


def thing_not_covered(message: str, mentioned: Callable[[str], bool]) -> str | None:
    """The first thing `message` names that no article mentions: not by its name, nor by its name
    without the words saying what kind of name it is, nor by the standard terms divers' usage gives
    it ("octo": an alternate air source)."""
    for thing in names.things_named(message):
        core = " ".join(word for word in thing.split() if word not in _KIND_WORDS)
        forms = dict.fromkeys((thing, core, *(means for _, means in concepts.usage(thing))))
        if not any(form and mentioned(form) for form in forms):
            return thing
    return None


def spoken_list(names: tuple[str, ...]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"; with semicolons when a name
    holds a comma of its own ("Sharm el-Sheikh, Red Sea; Cozumel; and Tioman Island, Malaysia")."""
    if len(names) == 1:
        return names[0]
    if any("," in name for name in names):
        return f"{'; '.join(names[:-1])}{';' if len(names) > 2 else ''} and {names[-1]}"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def reply(gap: NotCovered) -> str:
    place = gap.place.title() if gap.place.islower() else gap.place
    if gap.nearby:
        return _said_plainly(place, f"nearby, it has guides to {spoken_list(gap.nearby)}")
    return reply_thing(place)


def reply_thing(thing: str) -> str:
    destinations = tuple(d.display_name for d in catalogue.load().destinations)
    return _said_plainly(thing, f"it has guides to {spoken_list(destinations)}")


def _said_plainly(name: str, guides: str) -> str:
    return (
        f"The DovvyBuddy knowledge base has nothing on {name} yet, so I'd rather not guess. "
        f"It covers certifications, dive safety and skills wherever you dive; for trips, {guides}."
    )
