"""What a question means in the articles' words: the concepts divers name otherwise
(`concepts.yaml`), the certification levels' abbreviations (`certifications.yaml`) and divers'
general usage (`thesaurus.yaml`)."""

from __future__ import annotations

import functools
import re

from dovvy.catalogue import load, read_data


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


# Divers' phrases are looked up word by word (words being runs of letters and digits): one
# pattern alternating 1,789 phrases took 60 ms to compile on a function's first search.
_WORDS = re.compile(r"[a-z0-9]+")


@functools.cache
def _usage() -> tuple[dict[tuple[str, ...], tuple[str, str]], int]:
    """Each phrase by its words, and the most words a phrase has."""
    said: dict[tuple[str, ...], tuple[str, str]] = {}
    for entry in read_data("thesaurus.yaml")["concepts"]:
        for phrase in entry["said"]:
            words = tuple(_WORDS.findall(str(phrase).lower()))
            said.setdefault(words, (str(phrase).lower(), str(entry["means"])))
    return said, max(map(len, said), default=0)


def usage(text: str) -> tuple[tuple[str, str], ...]:
    """The phrases of divers' usage `text` holds (whole words, the longest where two start at one
    word: "safety sausage", not "sausage" as well), each with the standard terms for it (those
    `text` does not already say), each phrase once."""
    lowered = _lowered(text)
    words, (said, longest) = _WORDS.findall(lowered), _usage()
    found: dict[str, str] = {}
    start = 0
    while start < len(words):
        for length in range(min(longest, len(words) - start), 0, -1):
            hit = said.get(tuple(words[start : start + length]))
            if hit is not None:
                found.setdefault(*hit)
                start += length
                break
        else:
            start += 1
    return tuple((phrase, means) for phrase, means in found.items() if means.lower() not in lowered)
