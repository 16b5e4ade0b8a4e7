"""The nothing-relevant rule and its calibration, on passages built by hand."""

from __future__ import annotations

from pathlib import Path

from dovvy.knowledge import relevance
from dovvy.knowledge.relevance import Case, Thresholds, calibrate, rates
from dovvy.passages import Passage


def _passage(path: str, similarity: float, coverage: float | None) -> Passage:
    return Passage(path, "t", "h", "text", 0.1, similarity, 1, 1, {}, coverage)


def test_a_passage_is_relevant_when_close_or_fairly_close_and_covering() -> None:
    rule = Thresholds(strong=0.5, weak=0.3, coverage=0.4)
    assert rule.relevant(_passage("a.md", 0.55, None))
    assert rule.relevant(_passage("a.md", 0.35, 0.6))
    assert not rule.relevant(_passage("a.md", 0.35, 0.2))  # close-ish, but about other words
    assert not rule.relevant(_passage("a.md", 0.25, 0.2))  # far, and holding few of its words
    # A quarter of the question's term weight in the article: relevant however far the embedding
    # puts it (a programme's name, an acronym), and not below.
    assert rule.relevant(_passage("a.md", 0.05, relevance.ENOUGH_OF_THE_QUESTION))
    assert not rule.relevant(_passage("a.md", 0.05, relevance.ENOUGH_OF_THE_QUESTION - 0.01))


def test_a_passage_is_clearly_about_the_question_on_stronger_evidence() -> None:
    rule = Thresholds(strong=0.5, weak=0.3, coverage=0.4)
    assert rule.clear(_passage("a.md", 0.55, None))
    assert rule.clear(_passage("a.md", 0.42, relevance.CLEAR_COVERAGE))  # halfway to strong, half the words
    assert not rule.clear(_passage("a.md", 0.38, 1.0))  # relevant, not clearly so
    assert not rule.clear(_passage("a.md", 0.45, 0.45))
    assert rule.relevant(_passage("a.md", 0.38, 1.0))


def test_sources_keep_rank_order_down_to_the_last_relevant_passage() -> None:
    rule = Thresholds(strong=0.5, weak=0.3, coverage=0.4)
    first = _passage("nitrox.md", 0.4, 0.1)  # ranked first, its own evidence short
    second = _passage("wreck.md", 0.35, 0.6)  # relevant
    third = _passage("boats.md", 0.2, 0.0)
    assert rule.sources([first, second, third]) == [first, second]
    assert rule.sources([first, third]) == []  # nothing relevant: nothing to answer from
    # An article about a place the question names is relevant on that alone.
    assert rule.sources([first, third], named={"boats.md"}) == [first, third]
    assert rule.sources([third, first], named={"boats.md"}) == [third]


def test_calibration_keeps_the_answerable_and_declines_the_rest_when_it_can() -> None:
    cases = [
        Case((_passage("a.md", 0.6, 0.9),), ("a.md",)),
        Case((_passage("b.md", 0.4, 0.8),), ("b.md",)),
        Case((_passage("a.md", 0.42, 0.1),), ()),  # out of scope: similar wording, other terms
        Case((_passage("b.md", 0.2, 0.0),), ()),
    ]
    chosen = calibrate(cases)
    assert rates(chosen, cases) == relevance.Rates(kept=1.0, declined=1.0)


def test_thresholds_are_stored_per_embedding_model(tmp_path: Path) -> None:
    target = tmp_path / "relevance.json"
    relevance.store("model-a", Thresholds(0.5, 0.3, 0.2), target)
    relevance.store("model-b", Thresholds(0.7, 0.6, 0.1), target)
    assert '"model-a"' in target.read_text()
    assert '"model-b"' in target.read_text()
