"""The safety check of a message in a language other than English, by that language's lexicon
(data, one file per language: `dovvy/catalogue/languages`): a category's terms, a dive context,
words that say it is happening now, that it is not, that nobody is hurt. `dovvy.chat.safety`
reads the message in each of its languages and keeps the most urgent reading."""

from __future__ import annotations

import re
from typing import Any

from dovvy.chat import symptoms
from dovvy.chat.lexicon import Lexicon
from dovvy.chat.terms import dense, edit_distance, is_latin, latin_words
from dovvy.chat.tiers import SafetyCheck


def _corrected_in(words: list[str], vocabulary: frozenset[str]) -> list[str]:
    """Typos of this language's own terms fixed (one edit), never towards another language's."""
    fixed = []
    for word in words:
        if len(word) < 7 or word in vocabulary:
            fixed.append(word)
            continue
        near = next((w for w in vocabulary if w[0] == word[0] and edit_distance(word, w, 1) <= 1), None)
        fixed.append(near or word)
    return fixed


def check_in(
    lexicon: Lexicon, folded: str, *, correct: bool = True, dived: bool = False, quoted: tuple[str, ...] = ()
) -> SafetyCheck:
    """The tier of a message in a language other than English, by that language's lexicon
    (`dived`: the message around this text names the dive; `quoted`: its quotations, folded)."""
    text = lexicon.unfold(folded)
    said = latin_words(text).split()
    words = " ".join(_corrected_in(said, lexicon.vocabulary) if correct else said)
    packed = dense(text)
    what_if = lexicon.what_if.search(words, packed) if lexicon.what_if else None
    if what_if:
        # "What if my buddy passes out, what do I do?" asks about the what-if: no plea, no "now".
        words, packed = _without_all(lexicon.what_to_do, words, packed)

    def found(terms: Any) -> str | None:
        return terms.search(words, packed) if terms is not None else None

    if found(lexicon.answers):
        # An exam answer checked ("victim not breathing -> call the ambulance, 30:2") is course
        # material: its "call the ambulance" is no plea.
        return SafetyCheck("normal", None, f"{lexicon.english_name}: an answer to a course or exam question")
    dive_context = dived or bool(found(lexicon.dive_context) or re.search(symptoms.DIVE_CONTEXT, words))
    categories = _dangers(lexicon, words, packed, dive_context)
    first_aid = _envenomation_in(lexicon, words, packed, bool(categories or found(lexicon.severe)))
    if first_aid:
        categories.insert(0, "envenomation")
    label = lexicon.english_name
    now = found(lexicon.happening)
    if not categories:
        return _uncategorised(lexicon, words, packed, dive_context=dive_context, doubted=bool(what_if))
    category: symptoms.Category = categories[0]  # type: ignore[assignment]
    thing = found(lexicon.asides)
    idiom = _calming(lexicon, words, packed)
    calm = idiom or (thing and not _reported_besides(lexicon, thing, words, packed, dive_context))
    plea = _plea(lexicon, idiom, quoted, words, packed)
    if calm and not plea:
        return SafetyCheck("normal", None, f"{label}: {category} words about a course, an object or an idiom")
    if not now and (what_if or found(lexicon.not_happening)):
        return SafetyCheck(
            "caution", category, f"{label}: {category} named in a question, a what-if or the past"
        )
    return SafetyCheck(
        "emergency", category, f"{label}: {category.replace('_', ' ')} described as happening", first_aid
    )


def _uncategorised(
    lexicon: Lexicon, words: str, packed: str, *, dive_context: bool, doubted: bool
) -> SafetyCheck:
    """A message naming a symptom the lexicon has no emergency category for: a caution line, or
    the decompression protocol for a plea or a strong sign said to be happening after a dive
    (symptoms after a dive are decompression illness until a doctor says otherwise)."""

    def found(terms: Any) -> str | None:
        return terms.search(words, packed) if terms is not None else None

    label = lexicon.english_name
    named = found(lexicon.symptoms)
    if not named or _calming(lexicon, words, packed) or found(lexicon.asides):
        return SafetyCheck("normal", None, f"{label}: no symptom or danger named")
    strong = found(lexicon.severe)
    doubted = doubted or bool(found(lexicon.not_happening) or found(lexicon.asking))
    if dive_context and ((strong and found(lexicon.happening)) or (found(lexicon.urgent) and not doubted)):
        return SafetyCheck("emergency", None, f"{label}: '{strong or named}' after a dive, now")
    return SafetyCheck("caution", None, f"{label}: mentions '{named}'")


def _calming(lexicon: Lexicon, words: str, packed: str) -> str | None:
    """The words saying nobody is hurt, unless the message leaves someone out of them ("everyone
    is fine except Nam, who is unconscious")."""
    idiom = lexicon.no_one_hurt.search(words, packed) if lexicon.no_one_hurt else None
    if idiom and lexicon.except_for is not None and lexicon.except_for.search(words, packed):
        return None
    return idiom


def _without(term: str | None, words: str, packed: str) -> tuple[str, str]:
    """The message's words and packed text with `term` (as found) taken out."""
    if not term:
        return words, packed
    return f" {words} ".replace(f" {term} ", " ").strip(), packed.replace(term.replace(" ", ""), "")


def _plea(
    lexicon: Lexicon, idiom: str | None, quoted: tuple[str, ...], words: str, packed: str
) -> str | None:
    """A plea for help, counted only outside the calming words ("すぐ見つかった", found at once,
    holds すぐ) and outside quotation marks (a forum post quoted: "...had to go to the ER")."""
    if lexicon.urgent is None:
        return None
    if idiom:
        words, packed = _without_all(lexicon.no_one_hurt, words, packed)
    for quote in quoted:
        own = lexicon.unfold(quote)
        words = f" {words} ".replace(f" {latin_words(own)} ", " ").strip() if latin_words(own) else words
        packed = packed.replace(dense(own), "")
    return lexicon.urgent.search(words, packed)


def _without_all(terms: Any, words: str, packed: str) -> tuple[str, str]:
    """The message's words and packed text with every one of `terms` it holds taken out."""
    for _ in range(8):  # a few at most
        term = terms.search(words, packed) if terms is not None else None
        if not term:
            break
        words, packed = _without(term, words, packed)
    return words, packed


def _dangers(lexicon: Lexicon, words: str, packed: str, dive_context: bool) -> list[str]:
    """The emergency categories whose terms the text holds (after-diving ones with a dive context),
    with the language's particles or without them."""
    bare = " ".join(w for w in words.split() if w not in lexicon.particles)

    def holds(terms: Any) -> bool:
        return bool(terms) and bool(
            terms.search(words, packed) or (bare != words and terms.search(bare, packed))
        )

    found = [c for c, terms in lexicon.emergency.items() if holds(terms)]
    # Vertigo with vomiting is an emergency wherever it happens, as in English.
    checked = lexicon.after_diving if dive_context else {"vertigo": lexicon.after_diving.get("vertigo")}
    return found + [c for c, t in checked.items() if holds(t) and c not in found]


def _reported_besides(lexicon: Lexicon, thing: str, words: str, packed: str, dive_context: bool) -> bool:
    """Whether, with the asides' own words taken out (objects, laughter), the message still names a
    danger, says it is happening or names a sign no object has (dizzy, swelling), and says nothing
    of a what-if, a course or the past ("is it ok?" after a report is no doubt about it): "he was
    filming with the GoPro and now he is not breathing" and "filmed turtles with the GoPro, came up
    with blotchy skin and dizzy" are emergencies; "the GoPro drowned" is not."""
    if lexicon.not_happening is not None and lexicon.not_happening.search(words, packed):
        return False
    # Every aside goes ("the camera's battery" is two), `thing` first among them.
    rest_words, rest_packed = _without_all(lexicon.asides, *_without(thing, words, packed))
    said_of_someone = any(
        t is not None and t.search(rest_words, rest_packed) for t in (lexicon.happening, lexicon.severe)
    )
    return said_of_someone and bool(_dangers(lexicon, rest_words, rest_packed, dive_context))


def _envenomation_in(lexicon: Lexicon, words: str, packed: str, severe: bool) -> str | None:
    """A dangerous animal's sting or bite, or a lesser one's with a sign beyond the sting."""
    if lexicon.contact is None or not lexicon.contact.search(words, packed):
        return None
    for animal, first_aid, dangerous in lexicon.animals:
        if animal.search(words, packed) and (dangerous or severe):
            return first_aid
    return None


# Where a message's sentences end: a shop question, then "oh and my friend is coughing blood now".
_SENTENCE_END = re.compile(r"[\u3002\uff01\uff1f\u061f!?\n]+|(?<=[^\s.])\.+(?=\s|$)")


def check_sentences(lexicon: Lexicon, folded: str, quoted: tuple[str, ...] = ()) -> SafetyCheck | None:
    """An emergency told in one sentence of several, when that sentence says it is happening now:
    the object, course or plan of another sentence does not calm it."""
    sentences = _SENTENCE_END.split(folded)
    for word in lexicon.sentence_breaks:
        sentences = [part for sentence in sentences for part in _split_at(word, sentence)]
    sentences = [part for part in sentences if part.strip()]
    if len(sentences) < 2 or lexicon.happening is None:
        return None
    text = lexicon.unfold(folded)
    words, packed = latin_words(text), dense(text)
    if lexicon.what_if is not None and lexicon.what_if.search(words, packed):
        return None  # a what-if frames every sentence of it
    dived = lexicon.dive_context is not None and bool(lexicon.dive_context.search(words, packed))
    for sentence in sentences:
        own = lexicon.unfold(sentence)
        if lexicon.happening.search(latin_words(own), dense(own)):
            found = check_in(lexicon, sentence, dived=dived, quoted=quoted)
            if found.emergency:
                return found
    return None


def _split_at(word: str, sentence: str) -> list[str]:
    """`sentence` split before each `word` (a whole word in Latin script)."""
    if is_latin(word):
        return re.split(rf"(?<![a-z0-9])(?={re.escape(word)}(?![a-z0-9]))", sentence)
    return re.split(f"(?={re.escape(word)})", sentence)
