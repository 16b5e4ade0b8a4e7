"""Safety and answers in the languages divers write in: the lexicons as data, language detection,
the translated emergency texts, and chat turns in other languages (offline and with a fake
hosted model)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from dovvy import catalogue
from dovvy.chat import emergency, language
from dovvy.chat.language import Reading, gloss, read
from dovvy.chat.lexicon import ENGLISH, LexiconError, lexicons
from dovvy.chat.lexicon_files import build, built, read_files
from dovvy.chat.safety import check, check_lexicons
from dovvy.chat.symptoms import CATEGORIES
from dovvy.chat.terms import dense, fold
from dovvy.providers.llm import FallbackChain, Generation, Prompt
from dovvy.runtime import Runtime
from tests.chat.conftest import ask
from tests.chat.test_safety import CASES, LANGUAGES, MISREAD
from tests.contract import ContractClient

# Arabic's labelled cases are a held-out set of their own (tests/eval/safety_arabic.jsonl).
REPLY_LANGUAGES = tuple(sorted({*LANGUAGES, "ar", "pt", "it"}))
# An emergency in each reply language without labelled cases in tests/eval/safety.jsonl.
_EMERGENCIES = {
    "ar": "ساعدونا!! صاحبي طلع من الغطسة في الغردقة وفقد الوعي وما يتنفس",
    "pt": "socorro!! meu dupla subiu do mergulho em tioman e desmaiou, nao ta respirando",
    "it": "aiuto!! il mio compagno è risalito dall'immersione a tioman ed è svenuto, non respira",
}


# --- the data ---------------------------------------------------------------------------------


def test_every_language_file_loads_and_names_only_known_categories() -> None:
    table = lexicons()
    assert set(table) >= {"en", "ms", "id", "zh", "th", "tl", "vi", "ja", "ko", "es", "de", "fr"}
    for lexicon in table.values():
        assert set(lexicon.emergency) | set(lexicon.after_diving) <= set(CATEGORIES)


def test_a_broken_language_file_is_named_in_the_error() -> None:
    with pytest.raises(LexiconError, match=r"languages/xx.yaml: emergency: fainting is not a category"):
        build("xx", {"code": "xx", "emergency": {"fainting": ["x"]}})
    with pytest.raises(LexiconError, match=r"animals.fish: 'spines' is not"):
        build("xx", {"code": "xx", "animals": {"fish": "spines"}})
    files: dict[str, dict[str, Any]] = {"en": {"code": "en"}, "xx": {"code": "xx", "related": ["yy"]}}
    with pytest.raises(LexiconError, match=r"languages/xx.yaml: related: yy is no other language"):
        built(files)


def test_a_phrase_is_found_with_the_particles_grammar_puts_inside_it() -> None:
    """Tagalog puts its little words (na, pa, po, siya) inside a phrase the lexicon lists whole:
    "hindi na siya makahinga" is "hindi makahinga" (cannot breathe), "hindi pa po siya umaahon"
    is "hindi pa umaahon" (not up yet). A term is not cut to one word ("wala pa", not yet, stays
    whole), and a language without particles reads its phrases as listed."""
    listed = {"code": "xx", "emergency": {"missing_diver": ["hindi pa umaahon", "wala pa"]}}
    missing = build("xx", listed | {"particles": ["na", "pa", "po", "siya"]}).emergency["missing_diver"]
    assert missing.search("hindi umaahon", "")
    assert not missing.search("wala", ""), "a term of two words is never cut to one"
    assert not build("xx", listed).emergency["missing_diver"].search("hindi umaahon", "")
    # The lexicons' reading (the score weighs it after: docs/safety.md).
    assert check_lexicons("ngayon hindi na siya makahinga").emergency
    assert check_lexicons("hindi pa po siya umaahon, 20 minutes na").emergency
    assert check_lexicons("kahapon sabi ng doctor ok siya pero ngayon nawalan siya ng malay").emergency
    assert not check_lexicons("hindi na po ako kinakabahan, excited na ako sa dive namin").emergency


def test_a_message_read_as_malay_alone_is_checked_by_indonesian_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Malay and Indonesian writers use each other's words: a Malay message with an Indonesian
    sign in it ("ga bisa digerakin") is caught by the related lexicon, whose calming words are
    Malay's too ("dah sihat", recovered)."""
    from dovvy.chat import safety

    monkeypatch.setattr(safety, "read", lambda message: Reading(("ms",), "ms"))
    urgent = check("kawan aku lepas dive tadi, tangan dia ga bisa digerakin langsung, camne ni")
    assert urgent.emergency, urgent.reason
    assert urgent.language == "ms"
    recovered = check(
        "dulu 2018 pernah kena bends, dah rawat dalam chamber, sekarang dah sihat. boleh dive balik x?"
    )
    assert not recovered.emergency, recovered.reason


def test_no_term_is_listed_twice_in_one_list() -> None:
    """A term written twice is a sign of two edits that did not see each other."""

    def lists(value: Any, where: str) -> Iterator[tuple[str, list[str]]]:
        if isinstance(value, list):
            yield where, value
        elif isinstance(value, dict):
            for key, inner in value.items():
                yield from lists(inner, f"{where}.{key}")

    repeated = [
        (where, term)
        for code, data in read_files().items()
        for where, terms in lists(data, code)
        for term in {t for t in terms if terms.count(t) > 1}
    ]
    assert repeated == []


def test_no_single_word_term_is_another_languages_common_word() -> None:
    """The "die" case: a word of one language must never trigger through another language's
    everyday words, so no one-word emergency term may be a common word elsewhere."""
    table = lexicons()
    clashes = []
    for code, lexicon in table.items():
        for other, other_lexicon in table.items():
            if other == code:
                continue
            for category, terms in (*lexicon.emergency.items(), *lexicon.after_diving.items()):
                for word in other_lexicon.common:
                    found = terms.search(word, word)
                    if found == word:
                        clashes.append(f"{code}.{category} '{word}' is common in {other}")
    assert not clashes, clashes


@pytest.mark.parametrize("language", REPLY_LANGUAGES)
def test_each_languages_texts_hold_every_english_key_and_placeholder(language: str) -> None:
    english, local = emergency.catalogue()["en"], emergency.catalogue()[language]

    def shape(value: Any, path: str = "") -> dict[str, Any]:
        if isinstance(value, dict):
            return {k: v for key, item in value.items() for k, v in shape(item, f"{path}.{key}").items()}
        if isinstance(value, list):
            return {
                f"{path}[]": len(value),
                **{k: v for item in value for k, v in shape(item, f"{path}[]").items()},
            }
        return {path: sorted(set(re.findall(r"\{(\w+)\}", value)))}

    assert shape(local) == shape(english)


def test_the_words_beside_every_number_are_translated() -> None:
    """The numbers catalogue writes "999 (112 from a mobile)", "ambulance 118 or 119": every such
    English word is a phrase of the texts' `numbers` (so a country added with new words fails here
    until they are translated), and a Malay reply says "dari telefon bimbit"."""
    loaded = catalogue.load()
    phrases = sorted(emergency.catalogue()["en"]["numbers"], key=len, reverse=True)
    for contacts in (loaded.default_contacts, *loaded.contacts.values()):
        for text in (contacts.emergency, contacts.diving_line, contacts.coast_guard):
            rest = re.sub("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in phrases), " ", text)
            assert not re.findall(r"\b[a-z]{2,}\b", rest), (text, rest)
    assert {c.country for c in loaded.contacts.values()} == set(emergency.catalogue()["en"]["countries"])
    malaysia = loaded.contacts["malaysia"]
    urgent = check("kawan aku pengsan lepas dive, dia tak bernafas")
    local = emergency.reply(urgent, malaysia).split("---")[0]
    assert "999 (112 dari telefon bimbit)" in local
    assert "马来西亚: 999" in emergency.reply(check("我潜伴晕倒了 没有呼吸"), malaysia)
    assert "112 from a mobile" in emergency.reply(urgent, malaysia).split("---")[1], (
        "the English follows as written"
    )
    assert emergency.in_language("112 (ambulance 118 or 119)", emergency.catalogue()["fr"]["numbers"]) == (
        "112 (ambulance 118 ou 119)"
    )


def test_every_reply_language_of_a_lexicon_is_translated() -> None:
    replies = {lexicon.answer_as for lexicon in lexicons().values()} | {
        name for lexicon in lexicons().values() for name in lexicon.variants
    }
    assert replies - {ENGLISH} <= set(emergency.catalogue()), replies - set(emergency.catalogue())


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "languages", "reply"),
    [
        pytest.param("no pulse!!", ("en",), "en", id="a-lone-spanish-word-is-still-english"),
        pytest.param("kawan aku pengsan lepas naik, dia tak bernafas", ("ms",), "ms", id="malay"),
        pytest.param("my friend pengsan just now after the dive", ("en", "ms"), "en", id="manglish"),
        pytest.param("我潜伴晕倒了", ("zh",), "zh-Hans", id="simplified"),
        pytest.param("我潛伴暈倒了", ("zh",), "zh-Hant", id="traditional"),
        pytest.param("バディが意識がない", ("ja",), "ja", id="kana"),
        pytest.param("버디가 의식이 없어요", ("ko",), "ko", id="hangul"),
        pytest.param("เพื่อนหมดสติ", ("th",), "th", id="thai"),
        pytest.param(
            "Mein Freund ist nach dem Tauchen umgekippt und die Lippen sind blau",
            ("de",),
            "de",
            id="german-die-is-not-english",
        ),
    ],
)
def test_languages_are_read_from_script_and_common_words(
    message: str, languages: tuple[str, ...], reply: str
) -> None:
    reading = read(message)
    assert set(reading.languages) == set(languages)
    assert reading.reply == reply


def test_a_german_die_never_reads_as_the_english_verb() -> None:
    result = check("Die Tauchschule hat die Kurse verschoben, die Preise sind gleich geblieben")
    assert result.tier == "normal", result.reason


@pytest.mark.parametrize(
    "message",
    [
        "ban toi bi ngat sau khi lan, khong tho",
        "bạn tôi bị ngất sau khi lặn, không thở",
    ],
)
def test_vietnamese_is_read_with_and_without_diacritics(message: str) -> None:
    result = check(message)
    assert result.emergency
    assert result.language == "vi"
    assert result.category == "unresponsive"


def test_typos_are_corrected_within_a_language_only() -> None:
    assert check("kawan aku pengsan lepas dive, dia tak bernafass").emergency
    # "makina" (Tagalog: engine) is one letter from "mahina" (weak): words shorter than seven
    # letters are never corrected, so an engine is not a weakness.
    assert check("namatay makina ng bangka pero ok naman lahat").tier == "normal"
    # Nor across languages: in a French sentence that also reads as Spanish, the French
    # "inconscient" is not a Spanish "inconsciente" mistyped. Only the main language corrects.
    from dovvy.chat.lexicon import lexicons
    from dovvy.chat.lexicon_check import check_in
    from dovvy.chat.terms import fold

    spanish, french = lexicons()["es"], fold("on a remonte un plongeur inconscient")
    assert check_in(spanish, french).emergency  # one letter from "inconsciente"
    assert not check_in(spanish, french, correct=False).emergency
    assert check("kawan aku pengsan lepas dive, dia tak bernafass, tolong").emergency


@pytest.mark.parametrize(
    "message",
    [
        # A seizure described, not named; a chilled diver who has stopped shivering; a neck that
        # crackles after a fast ascent: in English and, by their lexicons, in other languages.
        "he is on the deck shaking and jerking, eyes rolled back, what do we do",
        "pulled him out after the drift, freezing cold and he stopped shivering, very sleepy",
        "penyelam tu hanyut 2 jam, badan sejuk gila, dah tak menggigil",
        "浮上してからダイバーがもう震えてない、体が冷たい",
        "sau khi noi len nhanh giong ban toi khan han, co ~ keu lao xao",
        "suara dia berubah serak lepas naik laju dari 20m",
    ],
)
def test_signs_described_rather_than_named_are_emergencies(message: str) -> None:
    assert check(message).emergency, check(message).reason


@pytest.mark.parametrize(
    "message",
    [
        # A regulator out of a seizing diver's mouth is no broken regulator; an incident on a
        # training dive is real; a chamber asked for in a report is a plea, not an insurance form.
        "my student is unconscious on the boat after the training dive",
        "penyelam kejang kat permukaan, regulator tercabut, kami tengah tarik dia ke bot",
        "un buceador convulsiona en la superficie, se le salio el regulador",
        "Taucher krampft an der Oberfläche, Atemregler raus",
        "élève sortie à 10h, à 10h40 se plaint de fourmillements dans les jambes. Caisson le plus proche ?",
        # A camera named beside a diver who is not breathing now is no flooded camera.
        "mi compañero estaba grabando con la gopro y ahora no respira",
        "yung buddy ko nag vivideo gamit gopro tapos ngayon walang malay",
        "kawan saya tengah ambil video guna kamera, sekarang dia pengsan tak sedar",
        "我朋友刚才在用相机拍视频 现在他昏迷了没有呼吸",
        "mein Buddy hat mit der Kamera gefilmt und jetzt atmet er nicht mehr",
        # A sign no object has (dizzy), beside the camera, is someone's.
        "고프로로 촬영하고 올라왔는데 팔 피부가 얼룩덜룩하고 어지러워요",
        # 好奇怪 (very strange) holds 好奇 (curious): no "just curious" here.
        "潜水回来以后他讲话好奇怪 口齿不清",
        # A laugh that plays a sign down is no joke about it (555: Thai laughter).
        "หลังดำน้ำเมื่อเช้าขาซ้ายชาๆ เพลียมาก 555 ไม่น่าเป็นไรมั้ง",
        # "Is it ok?" after a report, with a phone in it, doubts nothing.
        "sau khi lặn tay trái bị tê rần, yếu hẳn, cầm điện thoại không nổi. có sao ko",
        # 교육생 (a trainee) holds 교육 (training): the trainee coughing blood is no course question.
        "교육생이 올라오자마자 기침에 피가 섞여 나와요",
        # French as typed, with its elisions: "l'eau" is "l eau", as the lexicon writes it.
        "on l'a sorti de l'eau, il n'arrive pas à respirer",
        # Stepped on something unknown, with spreading swelling and nausea: the fish-spine protocol.
        "pisé algo al salir del barco, me arde el pie, se hincha hasta la rodilla y tengo nauseas",
    ],
)
def test_objects_and_courses_do_not_hide_a_real_emergency(message: str) -> None:
    assert check(message).emergency, check(message).reason


@pytest.mark.parametrize(
    "message",
    [
        "mi regulador no da aire ni en seco, donde lo llevo a revisar",
        "that dive nearly killed me 😂 legs like jelly now, best dive ever",
        "lampu suluh aku masuk air, mati terus, boleh servis tak",
        "se me inundó la carcasa de la cámara ahora, ¿se puede salvar?",
        "防水壳进水了 相机现在完全死了",
        "nalunod yung cellphone ko sa bangka, patay na talaga",
        "mati aku, bil trip ni mahal gila 😂",
        "Handy beim Tauchen abgesoffen, Display tot",
        # Folded, "underwater" is spelt as "drowning" is; a battery flat underwater hurts nobody.
        "pin máy ảnh hết lúc đang dưới nước, trên tàu có chỗ sạc không?",
    ],
)
def test_broken_kit_and_laughter_are_nobody_hurt(message: str) -> None:
    assert not check(message).emergency, check(message).reason


@pytest.mark.parametrize(
    "message",
    [
        "dulu pernah kena DCS, dah rawat, sekarang dah sihat. bila boleh dive semula?",
        "2017 na-bends ako pero magaling na, pwede na ba ulit?",
        "最近被工作淹没 想去潜水",
        "semalam tengok filem pasal penyelam lemas, seram",
    ],
)
def test_recovery_films_and_idioms_are_nobody_hurt(message: str) -> None:
    assert not check(message).emergency, check(message).reason


# --- English that generalises ------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "after we shot up from 25m my husband's face is drooping on one side",
        "on the boat now, my left arm went weak after the fast ascent",
        "buddy cant see out of his right eye since we got back on the boat",
        "she is confused after two dives, keeps asking the same questions",
        "crushing headache and vomiting after the deep dive this morning",
        "my father complain chest very tight and sweating after the shore dive",
    ],
)
def test_focal_signs_after_a_dive_are_emergencies(message: str) -> None:
    assert check(message).emergency, check(message).reason


@pytest.mark.parametrize(
    "message",
    [
        "my buddy drowned his GoPro at Sipadan lol",
        "rescue diver course prerequisites? need EFR first?",
        "nearly died of embarrassment, forgot my fins on the giant stride",
        "the boat engine died on the way out, we floated for an hour, fun actually",
        "what goes in a first aid kit for a liveaboard",
        "nervous about getting the bends on my first trip, how do i avoid it",
        "where is the nearest chamber for my dive insurance form",
    ],
)
def test_no_line_about_calling_for_help_when_nobody_is_hurt(message: str) -> None:
    assert check(message).tier == "normal", check(message).reason


# --- replies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", REPLY_LANGUAGES)
def test_every_language_reply_names_the_local_numbers_then_the_english_protocol(language: str) -> None:
    contacts = catalogue.contacts_for("tioman")
    labelled = (c["text"] for c in CASES if c.get("lang") == language and c["tier"] == "emergency")
    message = next(labelled, _EMERGENCIES.get(language, ""))
    result = check(message)
    assert result.emergency, result
    assert result.language == language, result
    text = emergency.reply(result, contacts)
    local, english = text.split("\n---\n")
    numbers = emergency.catalogue()[language]["numbers"]
    assert emergency.in_language(contacts.emergency, numbers) in local
    assert emergency.in_language(contacts.diving_line, numbers) in local
    assert "112 from a mobile" not in local, "the words beside the numbers are in the language too"
    assert emergency.english_reply(result, contacts) in english
    assert "Call emergency services now" in english


def test_the_caution_line_comes_in_the_language_then_in_english() -> None:
    line = emergency.caution_line(catalogue.contacts_for("bali"), "id")
    local, english = line.split("\n\n")
    assert "112" in local
    assert english.startswith("_If this is happening now")


# --- chat turns -------------------------------------------------------------------------------


def _questions() -> list[object]:
    return [
        pytest.param(
            c["text"],
            id=c["id"],
            marks=[pytest.mark.xfail(strict=True, reason=MISREAD[c["id"]])] if c["id"] in MISREAD else [],
        )
        for c in CASES
        if c.get("kind") == "question" and c.get("lang") != "en"
    ]


@pytest.mark.parametrize("message", _questions())
def test_a_diving_question_in_another_language_is_never_declined_offline(
    chat_api: ContractClient, message: str
) -> None:
    answer = ask(chat_api, message)
    assert answer["metadata"]["outcome"] != "declined" or "knowledge base" in answer["message"], answer
    assert "not about diving" not in answer["metadata"]["route"]["reason"]
    language = answer["metadata"]["safety"]["language"]
    notice = emergency.offline_notice(language)
    # After the caution line when the question names a symptom ("my ear hurts"), else first.
    assert notice is not None
    assert f"_{notice}_" in answer["message"].split("\n\n")[:3]


def test_an_emergency_in_arabic_answers_in_arabic_with_egypts_numbers(chat_api: ContractClient) -> None:
    answer = ask(chat_api, _EMERGENCIES["ar"])
    assert answer["agentType"] == "emergency"
    assert answer["message"].startswith("**هذه حالة طوارئ")
    assert "مصر: 123" in answer["message"]
    assert "Call emergency services now" in answer["message"]
    assert answer["metadata"]["safety"]["language"] == "ar"


@pytest.mark.parametrize(
    ("language", "opening"), [("pt", "**Isto é uma emergência"), ("it", "**È un'emergenza")]
)
def test_an_emergency_in_portuguese_or_italian_answers_in_it_with_malaysias_numbers(
    chat_api: ContractClient, language: str, opening: str
) -> None:
    answer = ask(chat_api, _EMERGENCIES[language])
    assert answer["agentType"] == "emergency"
    assert answer["message"].startswith(opening)
    assert "999" in answer["message"]
    assert "Call emergency services now" in answer["message"]
    assert answer["metadata"]["safety"]["language"] == language


@pytest.mark.parametrize(
    ("message", "emergency"),
    [
        ("la hélice del barco se rompió y volvimos temprano", False),  # the propeller broke
        ("a helice do barco quebrou e voltamos mais cedo", False),
        ("la helice le corto la pierna y sangra mucho", True),
        ("a hélice do barco cortou a perna dele, muito sangue", True),
    ],
)
def test_a_propeller_is_an_emergency_only_when_it_hurt_someone(message: str, emergency: bool) -> None:
    assert check(message).emergency is emergency


@pytest.mark.parametrize(
    "message",
    [
        # The cut before the propeller too, and Portuguese's "mto" for "muito": the lexicons' own
        # reading, which the score must not be needed for.
        "me corté con la hélice, ayuda",
        "je me suis coupé avec l'hélice",
        "cortei o pé na hélice, ta sangrando mto",
    ],
)
def test_the_lexicons_read_a_propeller_cut_in_either_order(message: str) -> None:
    assert check_lexicons(message).emergency


def test_a_cry_for_help_is_not_a_place() -> None:
    # "Socorro" is "help" in Spanish and Portuguese, and the name of Mexican islands.
    for message in (
        "socorro!! mi amigo no respira después de bucear en tioman",
        "socorro, meu dupla desmaiou em tioman",
    ):
        assert catalogue.contacts_for(message).country == "Malaysia"
    assert catalogue.contacts_for("mantas at socorro island").country == "Mexico"


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("mi amigo se desmayó después de bucear y no respira", "es"),
        ("meu amigo desmaiou depois do mergulho e não respira", "pt"),
        ("il mio amico è svenuto dopo l'immersione e non respira", "it"),
        ("mon ami s'est évanoui après la plongée et ne respire plus", "fr"),
    ],
)
def test_portuguese_and_italian_are_told_from_spanish_and_french(message: str, language: str) -> None:
    result = check(message)
    assert result.emergency, result
    assert result.language == language


@pytest.mark.parametrize(
    "message",
    [
        "صَدِيقِي فَقَدَ الوَعْيَ بَعْدَ الغَوْصِ وَلَا يَتَنَفَّسُ",  # with its vowel marks
        "ســاعدوني صديقي فقد الوعــي بعد الغوص",  # stretched with tatweel
        "صديقى فقد الوعى بعد الغوص",  # ى for ي, as many type it
    ],
)
def test_arabic_is_read_however_it_is_typed(message: str) -> None:
    result = check(message)
    assert result.emergency, result
    assert result.language == "ar"


def test_an_arabic_question_mark_ends_a_sentence() -> None:
    # "How much is the rescue course? My friend lost consciousness now after the dive": the course
    # is another sentence's, and does not calm what this one says is happening.
    assert check("بكم دورة الانقاذ؟ صاحبي فقد الوعي الحين بعد الغطسة").emergency
    assert check("صديقي الان ما يتنفس بعد الغوص").emergency
    # "When a diver breathes from the regulator...": not "he is not breathing" inside "when".
    assert not check("عندما يتنفس الغواص من المنظم هل يجب ان يكون التنفس بطيئا؟").emergency


def test_an_emergency_in_malay_answers_in_malay_with_the_numbers(chat_api: ContractClient) -> None:
    answer = ask(chat_api, "tolong!! kawan aku pengsan lepas naik dari dive kat Tioman, dia tak bernafas")
    assert answer["agentType"] == "emergency"
    assert answer["message"].startswith("**Ini kecemasan")
    assert "999" in answer["message"]
    assert "Call emergency services now" in answer["message"]
    assert answer["metadata"]["safety"]["language"] == "ms"


@pytest.mark.parametrize(
    ("message", "unread"),
    [
        ("Мой друг потерял сознание после погружения и не дышит", True),  # Russian
        ("חבר שלי איבד הכרה אחרי הצלילה", True),  # Hebrew
        ("मेरा दोस्त गोता लगाने के बाद बेहोश हो गया", True),  # Hindi
        ("Ο φίλος μου λιποθύμησε μετά την κατάδυση", True),  # Greek  # noqa: RUF001
        # Latin letters of a language no lexicon reads, hardly a word of it English grammar.
        ("mijn vriend is flauwgevallen na het duiken en ademt niet", True),  # Dutch
        ("arkadaşım dalıştan sonra bayıldı ve nefes almıyor", True),  # Turkish  # noqa: RUF001
        ("mój przyjaciel zemdlał po nurkowaniu i nie oddycha", True),  # Polish
        ("what is the capital of france", False),
        ("best running shoes for flat feet", False),
        # Persian and Urdu: the Arabic script, but not Arabic, which is all its lexicon reads.
        ("دوستم بعد از غواصی بیهوش شد و نفس نمی‌کشد", True),
        ("میرا دوست غوطہ خوری کے بعد بے ہوش ہو گیا", True),
        ("صديقي فقد الوعي بعد الغوص ولا يتنفس", False),
        ("kawan aku pengsan lepas dive", False),
        ("我朋友潜水后晕倒了", False),
        ("ダイビングの後で友達が倒れた", False),
        ("친구가 다이빙 후 쓰러졌어요", False),
        ("เพื่อนหมดสติหลังดำน้ำ", False),
        ("Mi amigo se desmayó después de bucear", False),
        # Mostly English, a few words in another script: English rules read it.
        ("my buddy is not breathing after the dive, друг help", False),
        ("🤿🤿🤿 !!!", False),
    ],
)
def test_a_message_in_a_script_no_lexicon_reads_is_unread(message: str, unread: bool) -> None:
    assert language.unread(message) is unread


def test_a_message_nobody_here_can_read_is_not_called_off_topic_and_gets_the_numbers(
    chat_api: ContractClient,
) -> None:
    answer = ask(chat_api, "Мой друг потерял сознание после погружения и не дышит")
    assert answer["metadata"]["model"] == "declined: unread_language"
    assert "can't help with that" not in answer["message"]
    assert answer["message"].startswith("I can't tell what you are asking: I may not read this language")
    assert "English, " in answer["message"]
    assert "Bahasa Melayu" in answer["message"]
    assert "**Call emergency services now**: 112 from a mobile" in answer["message"]
    assert "DAN Europe +39 06 4211 8685" in answer["message"]
    # Something we can read and that is not about diving is still off topic.
    assert ask(chat_api, "what is the capital of france")["metadata"]["model"] == "declined: off_topic"


class _Records:
    name = "fake-hosted"
    model = "fake-1"

    def __init__(self) -> None:
        self.prompts: list[Prompt] = []

    def generate(self, prompt: Prompt) -> Generation:
        self.prompts.append(prompt)
        return Generation("Tunggu sekurang-kurangnya 18 jam sebelum terbang.", self.name, self.model)

    def stream(self, prompt: Prompt) -> Any:
        yield self.generate(prompt).text


def test_the_hosted_model_is_asked_to_answer_in_the_divers_language(
    chat_api: ContractClient, chat_runtime: Runtime
) -> None:
    model = _Records()
    chat_runtime.llm = FallbackChain([model])
    answer = ask(chat_api, "berapa lama lepas menyelam baru boleh naik kapal terbang?")
    assert model.prompts, answer
    prompt = model.prompts[-1]
    assert "Write your whole answer in Malay" in prompt.system
    assert "flying" in prompt.question  # searched in English words
    assert "how long" in prompt.question
    assert answer["metadata"]["outcome"] == "answered"
    assert answer["agentType"] == "safety"
    assert answer["message"].startswith("Tunggu")  # a hosted answer carries no offline notice


def test_the_glossary_gives_english_words_for_searching() -> None:
    diving, english = gloss("潜水后多久可以坐飞机", "zh-Hans")
    assert diving
    assert {"flying", "how", "long"} <= set(english.split())


def test_labelled_cases_file_is_one_json_object_per_line() -> None:
    from tests.chat.test_safety import ROOT

    for line in (ROOT / "tests" / "eval" / "safety.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        assert {"id", "tier", "text"} <= set(case)


def test_the_json_a_bundle_carries_reads_as_the_yaml() -> None:
    from dovvy.chat.lexicon_bundle import packed, unpacked

    data = json.loads(json.dumps(packed(), ensure_ascii=False))  # key order kept: it ranks categories
    assert {code: unpacked(d) for code, d in data.items()} == lexicons()
    for name in catalogue.PACKED_DATA:  # plain data: no dates or other YAML-only values
        source = catalogue.read_source(name)
        assert json.loads(json.dumps(source, ensure_ascii=False)) == source


def test_no_word_for_now_hides_inside_an_everyday_word() -> None:
    """Terms in scripts without spaces match inside words: a "now" that every polite Japanese verb
    contains (いま in 言います) would make every message say it is happening now."""
    everyday = {
        "ja": ["言います", "思います", "しまいます"],
        "zh": ["急救课", "快乐", "很快"],
        "th": ["หายใจ"],
    }
    for code, texts in everyday.items():
        happening = lexicons()[code].happening
        assert happening is not None
        for text in texts:
            assert happening.search("", dense(fold(text))) is None, (code, text)


def test_french_elisions_part_words_and_english_contractions_join() -> None:
    assert fold("on l'a sorti de l'eau, qu'il respire") == "on l a sorti de l eau, qu il respire"
    assert fold("I can't breathe, I'm scared, don't go") == "i cant breathe, im scared, dont go"
    assert fold("c\u2019est grave") == "c est grave"


@pytest.mark.parametrize(
    ("message", "guide"),
    [
        ("boleh saya selam di tioman bulan disember? cuaca macam mana", "destinations/tioman.md"),
        ("¿puedo bucear en cozumel con mi certificado open water?", "destinations/cozumel.md"),
        # A place in another script: the catalogue's aliases name it ("热浪岛" is Redang).
        ("热浪岛十二月可以潜水吗", "destinations/perhentian-redang.md"),
        ("我想去诗巴丹潜水，需要什么证书？", "destinations/sipadan-semporna.md"),  # noqa: RUF001
    ],
)
def test_a_question_in_another_language_keeps_the_place_it_names(
    chat_api: ContractClient, message: str, guide: str
) -> None:
    # It is searched with its glossary's English words; those alone lost the place's name, and the
    # Malay question was answered from Cozumel's guide.
    paths = [s["path"] for s in ask(chat_api, message)["sources"]]
    assert guide in paths
    assert not [p for p in paths if p.startswith("destinations/") and p != guide]
