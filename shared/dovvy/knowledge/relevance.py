"""Whether a retrieved passage answers the question at all, from both legs' evidence.

A passage is relevant when its document's best cosine similarity is at least `strong`, or at least
`weak` while the document holds at least `coverage` of the question's term weight (the share of
the question's idf mass found anywhere in the article; a term no chunk contains counts in full, up
to `retrieval.UNKNOWN_TERMS_COUNTED` of them, so a question about a place or a sport the knowledge
base never mentions keeps a low coverage everywhere). Retrieval computes both for every passage it
returns, whichever leg ranked it. The thresholds depend on the embedding model's similarity scale:
`dovvy calibrate` chooses them on the dev splits of tests/eval/retrieval.jsonl and of the chat
sets' one-turn questions (`retrieval_eval.CALIBRATION_CHATS`) and writes them to relevance.json
beside this module, where the chat reads them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Collection, Sequence
from pathlib import Path

from dovvy.passages import Passage

THRESHOLDS_FILE = Path(__file__).with_name("relevance.json")
# The rule looks at the best passage of this many top documents (the chat's and calibration's alike).
CONSIDERED = 4
# `Thresholds.clear`: the share of a question's term weight one article must hold. Chosen on dev's
# answerable questions the router took for off topic and 30 messages about other things
# (docs/retrieval.md).
CLEAR_COVERAGE = 0.5
# An article holding this share of the question's term weight is relevant whatever the embedding
# says: a static embedding barely places a short question in an acronym or a programme's name ("aow
# how many dives", "whats the diff between discover scuba and actually getting certified": cosine
# 0.09 with the article that answers it, which holds a third of its words). Chosen on the dev
# splits of the chat sets (0.99, 0.4, 0.3, 0.25, 0.2: no out-of-scope question more answered at
# any; answerable ones kept rose to 0.25 and no further), then the thresholds recalibrated.
ENOUGH_OF_THE_QUESTION = 0.25


@dataclasses.dataclass(frozen=True)
class Thresholds:
    strong: float
    weak: float
    coverage: float

    def relevant(self, passage: Passage) -> bool:
        similarity = passage.similarity or 0.0
        coverage = passage.coverage or 0.0
        return (
            similarity >= self.strong
            or (similarity >= self.weak and coverage >= self.coverage)
            or coverage >= ENOUGH_OF_THE_QUESTION
        )

    def clear(self, passage: Passage) -> bool:
        """Whether the passage is plainly about what was asked: a strong similarity, or half of the
        question's term weight in its article with a similarity halfway to strong. A message
        without a word the router knows as diving is taken as a diving question on this evidence
        only: the plain rule also finds some passage for "best running shoes for flat feet"."""
        similarity = passage.similarity or 0.0
        coverage = passage.coverage or 0.0
        return similarity >= self.strong or (
            coverage >= CLEAR_COVERAGE and similarity >= (self.weak + self.strong) / 2
        )

    def sources(self, ranked: Sequence[Passage], named: Collection[str] = ()) -> list[Passage]:
        """The passages to answer from: in rank order, down to the last relevant one; none when
        none is relevant. A better-ranked passage whose own evidence falls short is kept (judged
        alone it was dropped, while a weaker article below it was used). A passage from one of
        `named` (the articles about a place the question names) is relevant on that alone."""
        kept = [i for i, p in enumerate(ranked) if p.content_path in named or self.relevant(p)]
        last = max(kept, default=-1)
        return list(ranked[: last + 1])


# For a model nobody has calibrated: cosine scales differ by model, so this is only a start.
UNCALIBRATED = Thresholds(strong=0.55, weak=0.40, coverage=0.5)


@functools.cache
def _stored() -> dict[str, Thresholds]:
    raw = json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8")) if THRESHOLDS_FILE.is_file() else {}
    return {model: Thresholds(**values) for model, values in raw.items()}


def thresholds_for(model: str) -> Thresholds:
    return _stored().get(model, UNCALIBRATED)


def store(model: str, thresholds: Thresholds, path: Path = THRESHOLDS_FILE) -> None:
    raw = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    raw[model] = dataclasses.asdict(thresholds)
    path.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _stored.cache_clear()


@dataclasses.dataclass(frozen=True)
class Case:
    """One question's retrieved passages and the documents that answer it (none: out of scope)."""

    passages: tuple[Passage, ...]
    expected: tuple[str, ...]
    named: frozenset[str] = frozenset()  # articles about a place the question names


@dataclasses.dataclass(frozen=True)
class Rates:
    kept: float  # answerable questions answered from an expected document
    declined: float  # out-of-scope questions left with no source


def rates(thresholds: Thresholds, cases: Sequence[Case]) -> Rates:
    answerable = [c for c in cases if c.expected]
    unanswerable = [c for c in cases if not c.expected]
    kept = sum(
        any(p.content_path in c.expected for p in thresholds.sources(c.passages, c.named)) for c in answerable
    )
    declined = sum(not thresholds.sources(c.passages, c.named) for c in unanswerable)
    return Rates(kept / max(len(answerable), 1), declined / max(len(unanswerable), 1))


def _steps(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [round(low + i * step, 4) for i in range(count + 1)]


# When no thresholds reach the kept target, an answerable question left unanswered is counted as
# costing three out-of-scope questions answered from a related article (whose sources the answer
# shows): a diver with a real question should not be turned away to make the refusals look good.
KEEP_WEIGHT = 3.0


def calibrate(cases: Sequence[Case], *, keep_at_least: float = 0.95) -> Thresholds:
    """The thresholds that decline the most out-of-scope questions while keeping a relevant source
    for at least `keep_at_least` of the answerable ones; if none can, the best
    KEEP_WEIGHT * kept + declined."""
    similarities = [p.similarity for c in cases for p in c.passages if p.similarity is not None]
    low, high = (min(similarities), max(similarities)) if similarities else (0.0, 1.0)
    best: tuple[tuple[bool, float, float], Thresholds] | None = None
    for strong in _steps(round(low, 2), round(high, 2) + 0.02, 0.02):
        for weak in _steps(round(low, 2), strong, 0.02):
            for coverage in _steps(0.0, 1.0, 0.05):
                candidate = Thresholds(strong, weak, coverage)
                measured = rates(candidate, cases)
                enough = measured.kept >= keep_at_least
                score = measured.declined if enough else KEEP_WEIGHT * measured.kept + measured.declined
                key = (enough, round(score, 9), measured.kept)
                if best is None or key > best[0]:
                    best = (key, candidate)
    assert best is not None
    return best[1]
