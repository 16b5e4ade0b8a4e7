"""What a question means in the articles' words: the concepts divers name otherwise
(`concepts.yaml`) and the certification levels' abbreviations (`certifications.yaml`)."""

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


def meanings(text: str) -> str:
    """The articles' words for what `text` says in other words ("" when nothing), each once."""
    lowered = text.lower().replace("\u2019", "'")  # a typed apostrophe
    found = [
        means for pattern, means in _concepts() if pattern.search(lowered) and means.lower() not in lowered
    ]
    return " ".join(dict.fromkeys(found))
