"""The safety check: decides a message's tier before anything else, deterministic, no model.

- **emergency**: someone is in danger now, or symptoms appeared after diving (the writer's or
  someone with them) → the emergency protocol for that kind of emergency, at once.
- **caution**: a symptom or danger is named but it is unclear that it is happening now ("is
  tingling after a dive normal?") → answered normally, with one line first saying whom to call.
- **normal**: everything else.

Languages: `dovvy.chat.language` reads which languages the message is in. English runs the
detailed rules below; every other language runs its own lexicon (data, one file per language)
with the same shape: a category's terms, a dive context, words that say it is happening now and
words that say it is not. Each language's rules see only messages in that language, and typos are
corrected only against the same language's words. The check carries the language to answer in.

How English decides (lexicon in `dovvy.chat.symptoms`): the text is normalised (apostrophes dropped,
text-speak expanded, typos corrected against the lexicon's words); a category matches; then the
signals say whether it is a report — a person in it, "now / since / just / 20 min ago", a plea
for help — or a question about it, a "what if", training, or the past. A report wins over the
signals against it only when it says "now" or asks for help.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any, Literal

from dovvy.chat import symptoms
from dovvy.chat.language import read
from dovvy.chat.lexicon import ENGLISH, Lexicon, lexicons
from dovvy.chat.terms import dense, fold, latin_words
from dovvy.text import WORD

Tier = Literal["emergency", "caution", "normal"]


@dataclasses.dataclass(frozen=True)
class SafetyCheck:
    tier: Tier
    category: symptoms.Category | None
    reason: str
    first_aid: str | None = None  # for envenomation: which first aid the animal needs
    language: str = ENGLISH  # the language (or variant, such as zh-Hant) to answer in

    @property
    def emergency(self) -> bool:
        return self.tier == "emergency"


_ALWAYS = {category: symptoms.compiled(patterns) for category, patterns in symptoms.ALWAYS.items()}
_AFTER_DIVING = {
    category: symptoms.compiled(patterns) for category, patterns in symptoms.AFTER_DIVING.items()
}
_ANIMALS = [(re.compile(rf"\b({pattern})\b"), kind) for pattern, kind in symptoms.ANIMALS.items()]


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions, giving up past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@functools.lru_cache(maxsize=4096)
def _corrected(word: str) -> str:
    if word in symptoms.VOCABULARY or len(word) < 5:
        return word
    limit = 1 if len(word) < 10 else 2
    best = min(
        (w for w in symptoms.VOCABULARY if w[0] == word[0]),
        key=lambda w: _distance(word, w, limit),
        default=None,
    )
    return best if best is not None and _distance(word, best, limit) <= limit else word


def prepare(message: str) -> str:
    """Folded (lower case, accents and apostrophes dropped: a "für" is one word, not "f r"),
    text-speak written out, typos of lexicon words fixed."""
    text = fold(message.replace("\u2019", "'"))
    words = [symptoms.TEXT_SPEAK.get(w, w) for w in WORD.findall(text)]
    return " ".join(_corrected(w) for w in words)


def _categories(text: str, dive_context: bool) -> list[symptoms.Category]:
    found: list[symptoms.Category] = [c for c, pattern in _ALWAYS.items() if pattern.search(text)]
    if re.search(symptoms.VERTIGO, text) and re.search(symptoms.VERTIGO_WITH, text):
        found.append("vertigo")
    if dive_context:
        found += [c for c, pattern in _AFTER_DIVING.items() if pattern.search(text) and c not in found]
    return found


def _envenomation(text: str) -> str | None:
    """The first aid an animal contact needs, when the message describes one that matters."""
    if not re.search(symptoms.CONTACT, text):
        return None
    for pattern, (first_aid, danger) in _ANIMALS:
        if pattern.search(text) and (danger == "dangerous" or re.search(symptoms.SYSTEMIC, text)):
            return first_aid
    return None


_RANK = {"emergency": 2, "caution": 1, "normal": 0}


def check(message: str) -> SafetyCheck:
    """The tier of `message`, read in every language it is written in; the most urgent reading
    wins and says which language to answer in."""
    reading = read(message)
    folded = fold(message)
    table = lexicons()
    results: list[tuple[SafetyCheck, str]] = []
    related = [r for c in reading.languages if c != ENGLISH for r in table[c].related]
    for code in dict.fromkeys((*reading.languages, *related)):
        if code == ENGLISH:
            results.append((check_english(message), reading.reply))
        else:
            # Typos are corrected only in the message's main language: a French "inconscient" is
            # no Spanish "inconsciente" typed wrong.
            main = code == reading.languages[0]
            # A related language checked alongside answers in the language the message was read in.
            reply = table[code].variant(folded) if code in reading.languages else reading.reply
            results.append((check_in(table[code], folded, correct=main), reply))
    best, reply = max(results, key=lambda pair: _RANK[pair[0].tier])  # first of equals: primary
    return dataclasses.replace(best, language=reply if best.tier != "normal" else reading.reply)


def check_turn(message: str, previous: str | None = None) -> SafetyCheck:
    """The tier of a message as a turn of its conversation: a reply that names a sign ("yes, my
    shoulder still hurts") is read with the diver's message before it, which may hold the dive
    ("we came up from 30 m an hour ago"). Only a caution is reread: a message that names no sign
    ("thanks, he is fine now") is never an emergency because of the turn before."""
    alone = check(message)
    if alone.tier != "caution" or not previous:
        return alone
    joined = check(f"{previous}\n{message}")
    return joined if joined.emergency else alone


def _corrected_in(words: list[str], vocabulary: frozenset[str]) -> list[str]:
    """Typos of this language's own terms fixed (one edit), never towards another language's."""
    fixed = []
    for word in words:
        if len(word) < 7 or word in vocabulary:
            fixed.append(word)
            continue
        near = next((w for w in vocabulary if w[0] == word[0] and _distance(word, w, 1) <= 1), None)
        fixed.append(near or word)
    return fixed


def check_in(lexicon: Lexicon, folded: str, *, correct: bool = True) -> SafetyCheck:
    """The tier of a message in a language other than English, by that language's lexicon."""
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

    dive_context = bool(found(lexicon.dive_context) or re.search(symptoms.DIVE_CONTEXT, words))
    categories = _dangers(lexicon, words, packed, dive_context)
    first_aid = _envenomation_in(lexicon, words, packed, bool(categories or found(lexicon.severe)))
    if first_aid:
        categories.insert(0, "envenomation")
    label = lexicon.english_name
    now = found(lexicon.happening)
    if not categories:
        named = found(lexicon.symptoms)
        if named and not (found(lexicon.no_one_hurt) or found(lexicon.asides)):
            strong = found(lexicon.severe)
            doubted = what_if or found(lexicon.not_happening) or found(lexicon.asking)
            if dive_context and ((strong and now) or (found(lexicon.urgent) and not doubted)):
                # A plea for help, or a strong sign said to be happening, after a dive, in words
                # the lexicon has no category for: the decompression protocol (symptoms after a
                # dive are decompression illness until a doctor says otherwise), not a caution.
                return SafetyCheck("emergency", None, f"{label}: '{strong or named}' after a dive, now")
            return SafetyCheck("caution", None, f"{label}: mentions '{named}'")
        return SafetyCheck("normal", None, f"{label}: no symptom or danger named")
    category: symptoms.Category = categories[0]  # type: ignore[assignment]
    thing = found(lexicon.asides)
    idiom = found(lexicon.no_one_hurt)
    calm = idiom or (thing and not _reported_besides(lexicon, thing, words, packed, dive_context))
    # A plea counts only outside the calming words: "すぐ見つかった" (found at once) holds すぐ.
    plea = lexicon.urgent.search(*_without(idiom, words, packed)) if lexicon.urgent else None
    if calm and not plea:
        return SafetyCheck("normal", None, f"{label}: {category} words about a course, an object or an idiom")
    if not now and (what_if or found(lexicon.not_happening)):
        return SafetyCheck(
            "caution", category, f"{label}: {category} named in a question, a what-if or the past"
        )
    return SafetyCheck(
        "emergency", category, f"{label}: {category.replace('_', ' ')} described as happening", first_aid
    )


def _without(term: str | None, words: str, packed: str) -> tuple[str, str]:
    """The message's words and packed text with `term` (as found) taken out."""
    if not term:
        return words, packed
    return f" {words} ".replace(f" {term} ", " ").strip(), packed.replace(term.replace(" ", ""), "")


def _without_all(terms: Any, words: str, packed: str) -> tuple[str, str]:
    """The message's words and packed text with every one of `terms` it holds taken out."""
    for _ in range(8):  # a few at most
        term = terms.search(words, packed) if terms is not None else None
        if not term:
            break
        words, packed = _without(term, words, packed)
    return words, packed


def _dangers(lexicon: Lexicon, words: str, packed: str, dive_context: bool) -> list[str]:
    """The emergency categories whose terms the text holds (after-diving ones with a dive context)."""
    found = [c for c, terms in lexicon.emergency.items() if terms and terms.search(words, packed)]
    # Vertigo with vomiting is an emergency wherever it happens, as in English.
    checked = lexicon.after_diving if dive_context else {"vertigo": lexicon.after_diving.get("vertigo")}
    return found + [c for c, t in checked.items() if t and t.search(words, packed) and c not in found]


def _reported_besides(lexicon: Lexicon, thing: str, words: str, packed: str, dive_context: bool) -> bool:
    """Whether, with the asides' own words taken out (objects, laughter), the message still names a
    danger, says it is happening or names a sign no object has (dizzy, swelling), and says nothing
    of a what-if, a course or the past ("is it ok?" after a report is no doubt about it): "he was
    filming with the GoPro and now he is not breathing" and "filmed turtles with the GoPro, came up
    with blotchy skin and dizzy" are emergencies; "the GoPro drowned" is not."""
    if lexicon.not_happening is not None and lexicon.not_happening.search(words, packed):
        return False
    rest_words, rest_packed = words, packed
    for _ in range(8):  # every aside goes ("the camera's battery" is two), a few at most
        rest_words, rest_packed = _without(thing, rest_words, rest_packed)
        found = lexicon.asides.search(rest_words, rest_packed) if lexicon.asides else None
        if not found or found == thing:
            break
        thing = found
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


def check_english(message: str) -> SafetyCheck:
    text = re.sub(symptoms.GREETING, "", prepare(message))
    dive_context = re.search(symptoms.DIVE_CONTEXT, text) is not None
    categories = _categories(text, dive_context)
    first_aid = _envenomation(text)
    if first_aid:
        categories.insert(0, "envenomation")
    if not categories:
        named = re.search(symptoms.CAUTION, text)
        if named and re.search(symptoms.INVOLVED, text) and not re.search(symptoms.NO_ONE_HURT, text):
            return SafetyCheck("caution", None, f"mentions '{named.group(0)}'")
        return SafetyCheck("normal", None, "no symptom said of anyone")

    hypothetical = re.search(symptoms.HYPOTHETICAL, text) is not None
    past = re.search(symptoms.PAST, text) is not None or re.search(symptoms.RECOVERED, text) is not None
    asking = re.search(symptoms.URGENT_ASK, text) is not None and not re.search(r"\bif\b", text)
    urgent = asking or re.search(symptoms.URGENT, text) is not None
    now = re.search(symptoms.NOW, re.sub(symptoms.RECOVERED, " ", text)) is not None
    against = (
        hypothetical
        or past
        or re.search(symptoms.QUESTION_START, text) is not None
        or re.search(symptoms.ABOUT, text) is not None
    )
    reported = re.search(symptoms.PRESENT_REPORT, text) is not None and not (hypothetical or past)
    person = re.search(symptoms.PERSON, text) is not None
    category = categories[0]
    label = category.replace("_", " ")
    if re.search(symptoms.JOKING, text) and not urgent:
        return SafetyCheck("normal", None, f"{label} told laughing")
    if against and not (now or urgent or reported):
        if re.search(symptoms.NO_ONE_HURT, text):
            return SafetyCheck("normal", None, f"{label} named of a course, an object or a fear")
        return SafetyCheck("caution", category, f"{label} named in a question, a what-if or the past")
    if person or now or urgent or not against:
        return SafetyCheck("emergency", category, f"{label} described as happening", first_aid)
    return SafetyCheck("caution", category, f"{label} named")
