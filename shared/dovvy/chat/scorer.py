"""A second reading of a message's danger: a linear score over its character n-grams.

The lexicons hold what their authors could list; every batch of messages nobody had seen brought
idioms, stories and phrasings no list had (docs/safety.md). This score generalises from the
labelled messages themselves: the weights are data learned offline from the dev splits of the
safety sets (`dovvy train safety`, `dovvy.measure.scorer_training`), deterministic, in plain
Python, with no network and no model service. A language is added by labelled messages.

Features are the 2- to 5-character n-grams of each word of the folded text (padded with a space
on each side, so a word's start and end count), hashed into a fixed number of buckets (the
weights are one array, read in a fraction of a millisecond), counted sublinearly (1 + ln count)
and scaled to unit length, so a long message is not more dangerous for its length.
"""

from __future__ import annotations

import array
import dataclasses
import functools
import json
import math
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from importlib import resources

WEIGHTS = "safety_scorer.bin"  # zlib-compressed little-endian float32, one per bucket
SETTINGS = "safety_scorer.json"  # bias, buckets and what the weights were trained on
SHORTEST, LONGEST = 2, 5


def bucket_counts(folded: str, buckets: int) -> Counter[int]:
    """How often each bucket's n-grams occur in `folded` (the text as `terms.fold` leaves it)."""
    counts: Counter[int] = Counter()
    mask = buckets - 1  # a power of two
    for word in folded.split():
        text = f" {word} "
        for size in range(SHORTEST, min(LONGEST, len(text)) + 1):
            for start in range(len(text) - size + 1):
                counts[zlib.crc32(text[start : start + size].encode()) & mask] += 1
    return counts


def features(folded: str, buckets: int) -> dict[int, float]:
    """The message as a unit vector of sublinear n-gram counts, by bucket."""
    return _unit(bucket_counts(folded, buckets))


def _unit(counts: Counter[int]) -> dict[int, float]:
    values = {b: 1.0 + math.log(n) for b, n in counts.items()}
    length = math.sqrt(sum(v * v for v in values.values())) or 1.0
    return {b: v / length for b, v in values.items()}


def logistic(z: float) -> float:
    """The probability a linear score stands for (clamped: exp overflows past about 700)."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def probability(weights: Sequence[float], bias: float, vector: dict[int, float]) -> float:
    return logistic(bias + sum(weights[b] * v for b, v in vector.items()))


@dataclasses.dataclass(frozen=True)
class Score:
    probability: float  # how likely the labelled sets make it that the message reports an emergency
    grams: int  # how many n-grams it rests on: a greeting's few weigh the writers' habits


@dataclasses.dataclass(frozen=True)
class Scorer:
    weights: array.array[float]
    bias: float

    def score(self, folded: str) -> Score:
        counts = bucket_counts(folded, len(self.weights))
        return Score(probability(self.weights, self.bias, _unit(counts)), sum(counts.values()))


def packed_weights(weights: array.array[float]) -> bytes:
    little = array.array("f", weights)
    if sys.byteorder != "little":
        little.byteswap()
    return zlib.compress(little.tobytes(), 9)


def unpacked_weights(data: bytes) -> array.array[float]:
    weights = array.array("f")
    weights.frombytes(zlib.decompress(data))
    if sys.byteorder != "little":
        weights.byteswap()
    return weights


@functools.cache
def scorer() -> Scorer:
    """The trained scorer shipped in the catalogue (read once per process)."""
    folder = resources.files("dovvy.catalogue")
    settings = json.loads(folder.joinpath(SETTINGS).read_text(encoding="utf-8"))
    weights = unpacked_weights(folder.joinpath(WEIGHTS).read_bytes())
    if len(weights) != settings["buckets"]:
        raise ValueError(f"{WEIGHTS} holds {len(weights)} weights, {SETTINGS} says {settings['buckets']}")
    return Scorer(weights, float(settings["bias"]))
