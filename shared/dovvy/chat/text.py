"""Small text helpers shared by the deterministic parts of the chat (safety, routing, profile)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def fuzzy_vocabulary_match(
    tokens: Iterable[str], vocabulary: Iterable[str], cutoff: float = 0.84
) -> set[str]:
    """Vocabulary words present in `tokens`, allowing small typos in words of five letters or more
    ("numbnes", "brething", "paralized")."""
    vocab = set(vocabulary)
    found = set()
    for token in tokens:
        if token in vocab:
            found.add(token)
        elif len(token) >= 5:
            found.update(difflib.get_close_matches(token, vocab, n=1, cutoff=cutoff))
    return found


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, whitespace folded."""
    return " ".join(text.lower().replace("\u2019", "'").split())
