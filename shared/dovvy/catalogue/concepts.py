"""What a question means in the articles' words: the concepts divers name otherwise
(`concepts.yaml`), the certification levels' abbreviations (`certifications.yaml`) and divers'
general usage (`thesaurus.yaml`)."""

from __future__ import annotations

import functools
import re

from dovvy.catalogue import load, read_data
from dovvy.text import PhraseTable


@functools.cache
def _concepts() -> tuple[tuple[re.Pattern[str], str], ...]:
    found = []
    for concept in read_data("concepts.yaml")["concepts"]:
        said = "|".join(re.escape(s.lower()) for s in sorted(concept["said"], key=len, reverse=True))
        found.append((re.compile(rf"(?<![a-z0-9])(?:{said})(?![a-z0-9])"), str(concept["means"])))
    for level in load().levels:
        names = "|".join(
            re.escape(a) for a in sorted({*level.aliases, level.code.lower()}, key=len, reverse=True)
        )
        found.append((re.compile(rf"(?<![a-z0-9])(?:{names})(?![a-z0-9])"), level.name))
    return tuple(found)


def _lowered(text: str) -> str:
    return text.lower().replace("\u2019", "'")  # a typed apostrophe


def meanings(text: str) -> str:
    """The articles' words for what `text` says in other words ("" when nothing), each once."""
    lowered = _lowered(text)
    found = [
        means for pattern, means in _concepts() if pattern.search(lowered) and means.lower() not in lowered
    ]
    return " ".join(dict.fromkeys(found))


@functools.cache
def _usage() -> tuple[PhraseTable, dict[str, str]]:
    """Divers' phrases, and the standard terms for each."""
    means: dict[str, str] = {}
    for entry in read_data("thesaurus.yaml")["concepts"]:
        for phrase in entry["said"]:
            means.setdefault(str(phrase).lower(), str(entry["means"]))
    return PhraseTable.of(means), means


def usage(text: str) -> tuple[tuple[str, str], ...]:
    """The phrases of divers' usage `text` holds (whole words, the longest where two start at one
    word: "safety sausage", not "sausage" as well), each with the standard terms for it (those
    `text` does not already say), each phrase once."""
    lowered = _lowered(text)
    table, means = _usage()
    found = ((phrase, means[phrase]) for phrase in table.find(lowered))
    return tuple((phrase, standard) for phrase, standard in found if standard.lower() not in lowered)
