"""The articles' words for what divers say otherwise (catalogue/concepts.yaml, certification aliases)
and divers' general usage (catalogue/thesaurus.yaml)."""

from __future__ import annotations

from collections import Counter

import pytest

from dovvy.catalogue import read_data
from dovvy.catalogue.concepts import meanings, usage
from dovvy.chat.router import route


@pytest.mark.parametrize(
    ("question", "means"),
    [
        ("what does a DM do on a liveaboard", "Divemaster"),
        ("can i dive with asthma", "medical fitness to dive"),
        ("havent dived in 4 years, what now", "scuba refresher"),
        # Advanced Open Water certifies to 30 m, the Deep specialty to 40 m.
        ("which cert to go to 30m", "advanced open water depth"),
        ("which cert for 40 metres", "deep diver"),
        ("want to go below 30m on a wall", "deep diver"),
    ],
)
def test_a_question_gains_the_articles_words(question: str, means: str) -> None:
    assert means in meanings(question)


def test_nothing_is_added_to_what_says_it_already_or_says_nothing_known() -> None:
    assert "Divemaster" not in meanings("divemaster course cost")
    assert meanings("best beaches near the hotel") == ""
    assert "deep diver" not in meanings("which cert to go to 30m")
    # Whole words only: "lead" in "leading" is not weighting.
    assert meanings("who is leading the dive tomorrow") == ""


def test_a_dive_site_is_known_by_what_divers_call_it() -> None:
    assert route("do i need my own light for the devil's throat").on_topic
    assert route("how much lead do i need with a 5mm").on_topic


def test_divers_usage_gives_the_standard_terms_of_each_phrase_once() -> None:
    # The longest phrase wins where two start together: "safety sausage", not "sausage" as well.
    assert usage("shot my safety sausage at 5m") == (("safety sausage", "surface marker buoy"),)
    assert usage("my octo and my spg") == (
        ("octo", "alternate air source"),
        ("spg", "submersible pressure gauge"),
    )
    assert usage("octopussy at the reef") == ()  # whole words only
    assert usage("my surface marker buoy, the sausage") == ()  # it says the standard terms already


def test_no_phrase_of_divers_usage_is_listed_twice() -> None:
    said = Counter(str(p).lower() for entry in read_data("thesaurus.yaml")["concepts"] for p in entry["said"])
    assert [phrase for phrase, n in said.items() if n > 1] == []
    assert len(said) > 1000
