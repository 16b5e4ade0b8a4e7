"""Places no article mentions: named plainly, with what the knowledge base covers nearby."""

from __future__ import annotations

import pytest

from dovvy import catalogue
from dovvy.catalogue import names
from dovvy.chat import coverage
from dovvy.chat.turn import ChatTurn
from dovvy.runtime import Runtime, chat_service
from dovvy.text import PhraseTable


def test_places_are_found_as_whole_words_longest_first() -> None:
    assert names.places_named("diving truk lagoon wrecks next year") == ("truk lagoon",)
    assert names.places_named("a trip to papua new guinea") == ("papua new guinea",)
    assert names.places_named("chile con carne recipe") == ("chile",)
    assert names.places_named("how do i clear my mask") == ()
    assert names.places_named("omanis") == ()  # not a word of its own


@pytest.mark.parametrize(
    ("message", "places"),
    [
        ("モルディブでジンベエザメは見られますか", ("maldives",)),
        ("몰디브에서 고래상어 볼 수 있나요", ("maldives",)),  # a particle joined to the name
        ("ฉันอยากดำน้ำที่มัลดีฟส์", ("maldives",)),
        ("الغوص في المالديف في ديسمبر", ("maldives",)),
        ("¿vale la pena bucear en Maldivas o en Galápagos?", ("galapagos", "maldives")),
        ("Tauchen auf den Malediven im März", ("maldives",)),
        # Accented as French and German write them, and Brazil's islands.
        ("plongée en Égypte, c'est quand la meilleure saison ?", ("egypt",)),
        ("oi gente, qual a melhor epoca pra mergulhar em fernando de noronha?", ("fernando de noronha",)),
        # A country the emergency numbers resolve, written in its other names, is that country.
        ("我想去马来西亚潜水", ("malaysia",)),
        ("エジプトの紅海", ("egypt",)),
        # The longer name first: Indonesia is not India.
        ("我想去印度尼西亚", ("indonesia",)),
        ("インドネシアとインド、どっちがいい", ("indonesia", "india")),
        # A destination written in another script is the catalogue's, not a world place.
        ("热浪岛十二月可以潜水吗", ()),
    ],
)
def test_places_in_other_languages_are_named_by_their_english_names(
    message: str, places: tuple[str, ...]
) -> None:
    assert names.places_named(message) == places


def test_every_other_language_name_spells_a_listed_place_and_names_one_place() -> None:
    data = catalogue.read_data("world_places.yaml")
    spellings = [str(name).lower() for names_ in data["in_other_languages"].values() for name in names_]
    assert set(data["in_other_languages"]) <= set(names.world_places())
    assert len(spellings) == len(set(spellings))
    # No spelling is also a destination's own name, which could send it to two places.
    aliases = {a for d in catalogue.load().destinations for a in (*d.aliases, *d.site_aliases)}
    assert not set(spellings) & aliases


def test_a_place_named_in_another_language_resolves_the_numbers_its_english_name_does() -> None:
    for english, spelled in (
        ("phuket", "我朋友在普吉岛潜水后晕倒了"),
        ("egypt", "صديقي في مصر"),
        ("bohol", "보홀에서"),
    ):
        assert catalogue.contacts_for(spelled) == catalogue.contacts_for(english)
        assert names.places_named(spelled) == (english,)


def test_a_place_is_not_covered_only_when_no_named_place_is_mentioned() -> None:
    mentioned = {"malaysia", "tioman"}.__contains__
    assert coverage.not_covered("liveaboards in the maldives?", mentioned) == coverage.NotCovered(
        "maldives", ()
    )
    assert coverage.not_covered("did the maldives last year, what about tioman?", mentioned) is None
    # A site of a destination we cover is that destination, named by a site's own alias.
    assert (
        coverage.not_covered("aow from tenerife, enough for the devils throat?", set().__contains__) is None
    )
    bali = coverage.not_covered("bali in july?", mentioned)
    assert bali is not None
    assert bali.nearby == ("Raja Ampat",)  # Indonesia's guide
    # One guide nearby is named alone, not as the end of an empty list.
    assert coverage.reply(bali).endswith("; for trips, nearby, it has guides to Raja Ampat.")
    assert "Bali" in coverage.reply(bali)


def test_a_place_in_another_language_no_article_mentions_is_told_so(chat_runtime: Runtime) -> None:
    service = chat_service(chat_runtime)
    for message in (
        "モルディブでダイビングするならベストシーズンはいつですか？",  # noqa: RUF001
        "¿Cuál es la mejor época para bucear en Maldivas?",
    ):
        answer = service.answer(ChatTurn(message))
        assert answer["sources"] == []
        assert "The DovvyBuddy knowledge base has nothing on Maldives yet" in answer["message"]
    # Its country named in the diver's script is covered, and its guides answer.
    answer = service.answer(ChatTurn("我想去马来西亚潜水，什么时候最好？"))  # noqa: RUF001
    malaysian = ("perhentian-redang", "sipadan-semporna", "tioman")
    assert answer["sources"]
    assert answer["sources"][0]["path"] in {f"destinations/{code}.md" for code in malaysian}


def test_names_are_listed_as_a_sentence_lists_them() -> None:
    assert coverage.spoken_list(("Tioman",)) == "Tioman"
    assert coverage.spoken_list(("Tioman", "Sipadan")) == "Tioman and Sipadan"
    assert coverage.spoken_list(("Tioman", "Sipadan", "Redang")) == "Tioman, Sipadan and Redang"
    # A name with a comma of its own is kept whole by semicolons.
    assert (
        coverage.spoken_list(("Sharm el-Sheikh, Red Sea", "Cozumel", "Tioman Island, Malaysia"))
        == "Sharm el-Sheikh, Red Sea; Cozumel; and Tioman Island, Malaysia"
    )
    assert (
        coverage.spoken_list(("Sharm el-Sheikh, Red Sea", "Cozumel"))
        == "Sharm el-Sheikh, Red Sea and Cozumel"
    )


def test_a_trip_to_a_place_no_article_mentions_is_told_so(chat_runtime: Runtime) -> None:
    service = chat_service(chat_runtime)
    answer = service.answer(ChatTurn("whats the best month for a liveaboard trip in the maldives"))
    assert answer["sources"] == []
    assert answer["message"].startswith("The DovvyBuddy knowledge base has nothing on Maldives yet")
    assert answer["metadata"]["outcome"] == "declined"
    # A question that holds anywhere is still answered where it is asked.
    general = service.answer(ChatTurn("how do i equalise my ears diving in the maldives"))
    assert general["sources"]


def test_what_a_question_asks_is_read_without_the_places_it_names() -> None:
    assert (
        names.without_places("How do I equalise diving in the Maldives?")
        == "how do i equalise diving in the ?"
    )
    assert names.without_places("truk lagoon or palau") == "or"
    assert names.without_places("EAN32 on the Thistlegorm from Sharm?") == "ean32 on the from ?"
    assert catalogue.destinations_named("did tioman last year, now thinking sipadan or the yongala") == (
        "great-barrier-reef-cairns",
        "tioman",
        "sipadan-semporna",
    )


def test_outside_a_trip_a_place_no_article_mentions_is_answered_only_by_an_article_plainly_about_the_question(
    chat_runtime: Runtime,
) -> None:
    service = chat_service(chat_runtime)
    # About the place itself: an article on wrecks or shore entries is no answer about Croatia's
    # water or how Bonaire's shore diving works.
    for question, place in (
        ("is the water in croatia warm enough in june for wrecks", "Croatia"),
        ("bonaire shore diving, do you really just rent a truck and go", "Bonaire"),
    ):
        answer = service.answer(ChatTurn(question))
        assert answer["agentType"] != "trip"
        assert answer["sources"] == []
        assert answer["message"].startswith(f"The DovvyBuddy knowledge base has nothing on {place} yet")
    # A question that holds anywhere, judged without the place's name: answered, and from no guide
    # to another place.
    ears = service.answer(ChatTurn("how do i equalise my ears diving in the maldives"))
    assert ears["sources"]
    assert not any(s["path"].startswith(("destinations/", "sites/")) for s in ears["sources"])


def test_a_question_naming_a_place_we_cover_is_not_answered_from_other_places_guides(
    chat_runtime: Runtime,
) -> None:
    service = chat_service(chat_runtime)
    answer = service.answer(
        ChatTurn(
            "hiya, first time in gozo and loving it, the vis is unreal. were doing 2 dives a day "
            "mon-sat with the club and my gf found a cheap flight home sunday morning, thats fine right??"
        )
    )
    places = [s["path"] for s in answer["sources"] if s["path"].startswith(("destinations/", "sites/"))]
    assert answer["sources"]
    assert places in ([], ["destinations/malta-gozo.md"])


@pytest.mark.parametrize(
    ("message", "destination"),
    [
        ("manta sandy - can i swim up close to the mantas for pics or nah", "raja-ampat"),
        ("im OW with like 15 dives, will they let me do barracuda point", "sipadan-semporna"),
        ("is the sugar wreck ok for a first wreck dive", "perhentian-redang"),
        ("how strong is the current at cape kri", "raja-ampat"),
    ],
)
def test_a_site_named_names_its_destination_and_no_other_places_guide_answers(
    chat_runtime: Runtime, message: str, destination: str
) -> None:
    # Only a site's aliases (destinations.yaml) name it; without them "manta sandy" was answered
    # from Cozumel's guide and "barracuda point" from Raja Ampat's.
    assert catalogue.destinations_named(message) == (destination,)
    answer = chat_service(chat_runtime).answer(ChatTurn(message))
    guides = [s["path"] for s in answer["sources"] if s["path"].startswith("destinations/")]
    assert guides in ([], [f"destinations/{destination}.md"])


def test_where_a_question_is_about_and_every_other_place() -> None:
    tioman = names.subject("can i dive tioman in march")
    assert {"tioman", "pulau tioman", "malaysia"} <= set(tioman.here)
    assert {"perhentian", "indonesia", "red sea", "thistlegorm"} <= set(tioman.elsewhere)
    assert not set(tioman.here) & set(tioman.elsewhere)
    # A country is about each of its destinations.
    assert {"tioman", "perhentian", "sipadan"} <= set(names.subject("diving in malaysia in may").here)
    assert names.subject("how do i equalise") == names.Subject()


def test_the_offline_composer_says_nothing_about_another_place_alone() -> None:
    from dovvy.passages import Passage
    from dovvy.providers.llm import Prompt
    from dovvy.providers.llm.offline import compose

    text = (
        "Malaysia: the nearest chamber for Tioman is at Lumut. Indonesia: ask your operator for the "
        "nearest chamber. The Thistlegorm and Tioman wrecks both need a chamber plan."
    )
    passage = Passage("safety/c.md", "Chambers", "Chambers", text, 1.0, 0.5, 1, 1, {})
    question = "where is the nearest chamber to tioman"
    where = names.subject(question)
    prompt = Prompt("", (), question, (passage,), "safety", here=where.here, elsewhere=where.elsewhere)
    answer = compose(question, prompt)
    assert "Lumut" in answer
    assert "Indonesia" not in answer
    assert "Thistlegorm and Tioman" in answer  # names the question's place too
    assert "Indonesia" in compose(question, Prompt("", (), question, (passage,), "safety"))


def test_things_are_found_as_whole_words_and_named_wrecks_are_places() -> None:
    assert names.things_named("is a sidemount course worth it?") == ("sidemount",)
    assert names.things_named("what is snuba, scuba with a long hose?") == ("snuba", "long hose")
    assert names.things_named("full cave or cave diving, then a ccr course") == (
        "full cave",
        "cave diving",
        "ccr",
    )
    assert names.things_named("sidemounted") == ()
    assert names.things_named("the yongala, can i go inside") == ()
    assert names.places_named("the yongala, can i go inside") == ("yongala",)
    # No everyday English word is a thing: "any idea", "dan says".
    english = set(catalogue.read_data("languages/en.yaml")["common"])
    assert not english & set(names.things())
    assert names.things_named("any idea if dan can come? we dive oceanic islands") == ()


def test_a_thing_is_covered_by_its_name_its_core_or_the_standard_terms_for_it() -> None:
    mentioned = {"sidemount", "alternate air source", "aow"}.__contains__
    assert coverage.thing_not_covered("sidemount diving after my aow?", mentioned) is None
    # "octo" is divers' usage for an alternate air source, which an article names.
    assert coverage.thing_not_covered("where do i clip my octo", mentioned) is None
    assert coverage.thing_not_covered("what is snuba exactly", mentioned) == "snuba"
    assert "nothing on snuba yet" in coverage.reply_thing("snuba")


def test_a_thing_no_article_mentions_is_told_so_unless_a_place_we_cover_answers_the_rest(
    chat_runtime: Runtime,
) -> None:
    service = chat_service(chat_runtime)
    snuba = service.answer(ChatTurn("what is snuba exactly? is it basically scuba but with a long hose"))
    assert snuba["sources"] == []
    assert snuba["message"].startswith("The DovvyBuddy knowledge base has nothing on snuba yet")
    assert snuba["metadata"]["outcome"] == "declined"
    cozumel = service.answer(ChatTurn("when is whale shark season in cozumel? or is it more turtles there"))
    assert "destinations/cozumel.md" in [source["path"] for source in cozumel["sources"]]


def test_phrases_are_found_word_by_word_in_the_order_they_are_said() -> None:
    table = PhraseTable.of(["papua new guinea", "guinea", "sharm el-sheikh", "Dean's Blue Hole"])
    assert table.find("PNG? papua new guinea, then guinea") == ("papua new guinea", "guinea")
    # Its words apart by anything but letters and digits, as divers type them.
    assert table.find("a week in sharm el sheikh") == ("sharm el-sheikh",)
    assert table.find("dean's blue hole and deans blue hole") == ("dean's blue hole",)
    assert table.find("guineas") == ()
    assert PhraseTable.of([]).find("anything") == ()


def test_whether_articles_name_a_thing_is_asked_once_in_a_while(
    chat_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dovvy.chat import store
    from dovvy.db import content

    asked: list[str] = []
    real = content.mentions

    def counted(conn: object, name: str) -> bool:
        asked.append(name)
        return real(conn, name)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "mentions", counted)
    now = [0.0]
    library = store.Library(chat_runtime.pool, chat_runtime.retriever, clock=lambda: now[0])
    assert library.mentions("nitrox")
    assert library.mentions("nitrox")
    assert not library.mentions("sidemount")
    assert asked == ["nitrox", "sidemount"]
    now[0] = store.MENTIONS_TTL
    assert library.mentions("nitrox")
    assert asked == ["nitrox", "sidemount", "nitrox"]


@pytest.mark.parametrize(
    ("message", "guide"),
    [
        ("is cozumel alright for a total noob", "cozumel"),
        ("malta for a first timer, yay or nay", "malta-gozo"),
    ],
)
def test_a_question_naming_a_place_we_cover_is_answered_from_its_guide(
    chat_runtime: Runtime, message: str, guide: str
) -> None:
    """Its words beside the place name ("noob", "first timer") are in no article, so the
    relevance rule alone found nothing relevant: the place's own guide is what it asks about."""
    answer = chat_service(chat_runtime).answer(ChatTurn(message))
    assert f"destinations/{guide}.md" in [s["path"] for s in answer["sources"]]
