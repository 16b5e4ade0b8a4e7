"""Places no article mentions: named plainly, with what the knowledge base covers nearby."""

from __future__ import annotations

from dovvy import catalogue
from dovvy.chat import coverage
from dovvy.chat.turn import ChatTurn
from dovvy.runtime import Runtime, chat_service


def test_places_are_found_as_whole_words_longest_first() -> None:
    assert catalogue.places_named("diving truk lagoon wrecks next year") == ("truk lagoon",)
    assert catalogue.places_named("a trip to papua new guinea") == ("papua new guinea",)
    assert catalogue.places_named("chile con carne recipe") == ("chile",)
    assert catalogue.places_named("how do i clear my mask") == ()
    assert catalogue.places_named("omanis") == ()  # not a word of its own


def test_a_place_is_not_covered_only_when_no_named_place_is_mentioned() -> None:
    mentioned = {"malaysia", "tioman"}.__contains__
    assert coverage.not_covered("liveaboards in the maldives?", mentioned) == coverage.NotCovered(
        "maldives", ()
    )
    assert coverage.not_covered("did the maldives last year, what about tioman?", mentioned) is None
    bali = coverage.not_covered("bali in july?", mentioned)
    assert bali is not None
    assert bali.nearby == ("Raja Ampat",)  # Indonesia's guide
    # One guide nearby is named alone, not as the end of an empty list.
    assert "nearby, it has guides to Raja Ampat;" in coverage.reply(bali)
    assert "Bali" in coverage.reply(bali)


def test_names_are_listed_as_a_sentence_lists_them() -> None:
    assert coverage.spoken_list(("Tioman",)) == "Tioman"
    assert coverage.spoken_list(("Tioman", "Sipadan")) == "Tioman and Sipadan"
    assert coverage.spoken_list(("Tioman", "Sipadan", "Redang")) == "Tioman, Sipadan and Redang"


def test_a_trip_to_a_place_no_article_mentions_is_told_so(chat_runtime: Runtime) -> None:
    service = chat_service(chat_runtime)
    answer = service.answer(ChatTurn("whats the best month for a liveaboard trip in the maldives"))
    assert answer["sources"] == []
    assert answer["message"].startswith("The DovvyBuddy knowledge base has nothing on Maldives yet")
    assert answer["metadata"]["outcome"] == "declined"
    # A question that holds anywhere is still answered where it is asked.
    general = service.answer(ChatTurn("how do i equalise my ears diving in the maldives"))
    assert general["sources"]
