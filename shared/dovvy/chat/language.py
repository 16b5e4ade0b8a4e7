"""Which languages a message is written in, and the per-language lexicons the safety check and the
router read. The lexicons are data (`dovvy/catalogue/languages/<code>.yaml`): adding a language is
adding a file.

Detection is a small rule set, not a model: the scripts a message uses (Hangul, kana, Thai, Han)
and, for Latin script, how many of each language's common words and lexicon terms it holds.
English is the fallback and stays in play unless another language clearly holds the message, so a
short "no pulse!!" is still read as English while a German sentence's "die" is never read as the
English verb.

Matching is on folded text: NFKC, lower case, and (for Latin script) accents dropped, so a lexicon
written without diacritics matches Vietnamese typed with or without them. Latin terms match whole
words (`*` ends a prefix, `~` stands for up to four words); terms in other scripts match as
substrings (`~` stands for up to ten characters).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from importlib import resources
from typing import Any

from dovvy import catalogue

ENGLISH = "en"
LATIN_WORD = re.compile(r"[a-z0-9]+")
_REDUPLICATED = re.compile(r"\b([a-z]{3,})2\b")

# Unicode blocks that settle a language by script alone.
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SCRIPTS = (("ko", _HANGUL), ("ja", _KANA), ("th", _THAI))
_SCRIPT_LANGUAGES = frozenset(("ko", "ja", "th", "zh"))

# How much more evidence another language needs before English rules stop applying.
_CLEAR_LEAD = 2


class LexiconError(Exception):
    """A language file is unreadable or invalid; the message names the file and the field."""


@dataclasses.dataclass(frozen=True)
class Lexicon:
    code: str
    name: str  # in the language itself
    english_name: str  # for prompts ("answer in Malay") and tables
    common: frozenset[str]  # folded words that say a message is in this language
    emergency: dict[str, Terms]  # category: terms that are an emergency whenever reported
    after_diving: dict[str, Terms]  # category: terms that are one when reported after a dive
    dive_context: Terms | None
    happening: Terms | None  # now, just, since: it is happening (a plea counts too)
    urgent: Terms | None  # help, SOS, what do we do
    not_happening: Terms | None  # a question about it, a what-if, a course, the past: caution
    asking: Terms | None  # "is this normal?": doubts only a symptom with no category
    no_one_hurt: Terms | None  # a course, a drill, a film, an object, an idiom: no line at all
    severe: Terms | None  # signs beyond a sting (unbearable pain, swelling, dizziness)
    symptoms: Terms | None  # a symptom named as happening to someone: the caution line
    diving: Terms | None  # a diving word: the message is on topic
    animals: tuple[tuple[Terms, str, bool], ...]  # (animal, first-aid kind, dangerous)
    contact: Terms | None  # stung, bitten, stepped on
    injection: Terms | None  # "ignore your instructions" in this language: the prompt screen
    glossary: tuple[tuple[Terms, str], ...]  # (term, English words), longest term first
    vocabulary: frozenset[str]  # single Latin words of the lexicon, for typo correction
    folds: dict[str, str]  # character variants rewritten to the form the lexicon uses
    variants: dict[str, frozenset[str]]  # reply variant (zh-Hant): the characters that mark it
    answer_as: str  # the reply variant when no other is marked (zh-Hans for zh)
    # Per list of emergency, after-diving and symptom terms, the plain ones English does not have:
    # what says a message is in this language. The loanwords people mix in ("nag collapse",
    # "hypothermia") are no evidence: English messages use them too, while a Manglish "my friend
    # pengsan" is still read as Malay.
    evidence_terms: tuple[Terms, ...] = ()

    def evidence(self, words: list[str], folded: str) -> tuple[int, list[str]]:
        """How much of the message says it is in this language: (common words, the terms found,
        one per list). Diving words are left out: "dive" and "scuba" are typed in every language."""
        common = sum(1 for w in words if w in self.common)
        packed = dense(self.unfold(folded))
        latin = " ".join(words)
        found = (g.search(latin, packed, plain_only=True) for g in self.evidence_terms)
        return common, [t for t in found if t]

    def unfold(self, folded: str) -> str:
        """`folded` with character variants written the lexicon's way (Traditional Chinese as
        Simplified, full-width forms already gone with NFKC)."""
        return "".join(self.folds.get(c, c) for c in folded) if self.folds else folded

    def variant(self, folded: str) -> str:
        """The reply variant the text is written in: a variant whose marking characters appear
        more often than nothing, else the language itself."""
        for name, marks in self.variants.items():
            if any(c in marks for c in folded):
                return name
        return self.answer_as


@dataclasses.dataclass(frozen=True)
class Reading:
    """The languages a message holds, most evidence first, and the one (with its variant, such as
    zh-Hant) to answer in."""

    languages: tuple[str, ...]
    reply: str

    @property
    def english(self) -> bool:
        return ENGLISH in self.languages

    @property
    def primary(self) -> str:
        return self.languages[0]


def fold(text: str) -> str:
    """NFKC, lower case, Latin accents dropped (đ as d, ß as ss), apostrophes removed."""
    if text.isascii():
        return text.lower().replace("'", "")
    text = unicodedata.normalize("NFKC", text).lower()
    for old, new in (("\u2019", ""), ("'", ""), ("đ", "d"), ("ß", "ss"), ("œ", "oe"), ("æ", "ae")):
        text = text.replace(old, new)
    # Accents on Latin letters go; the marks that are part of Thai, kana or Hangul letters stay.
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", kept)


def latin_words(folded: str) -> str:
    """The Latin-script words of folded text, one space apart: what Latin terms match."""
    # "muntah2" is how Malay and Indonesian type "muntah-muntah".
    return " ".join(LATIN_WORD.findall(_REDUPLICATED.sub(r"\1 \1", folded)))


def dense(folded: str) -> str:
    """Folded text without whitespace: what terms in other scripts match."""
    return re.sub(r"\s+", "", folded)


def is_latin(term: str) -> bool:
    return term.isascii()


def _term_pattern(term: str) -> str:
    term = fold(term).strip()
    if not is_latin(term):
        return r".{0,10}".join(re.escape(part.replace(" ", "")) for part in term.split("~"))
    pieces: list[str] = []
    gap = " "
    for word in term.split():
        if word == "~":
            gap = r" (?:[a-z0-9]+ ){0,4}"
            continue
        piece = re.escape(word.rstrip("*")) + (r"[a-z0-9]*" if word.endswith("*") else "")
        pieces.append((gap if pieces else "") + piece)
        gap = " "
    return r"(?<![a-z0-9])" + "".join(pieces) + r"(?![a-z0-9])"


@dataclasses.dataclass(frozen=True)
class Terms:
    """The terms of one list. Most are plain: a Latin phrase is found as whole words in the text's
    words, anything else as a substring of the dense text, with no regular expression (compiling
    a thousand of them cost a third of a second at the first message). Terms with `*` or `~` are
    one pattern, compiled the first time it is searched."""

    words: tuple[str, ...]  # " phrase ", to find in " words "
    chars: tuple[str, ...]  # to find in the dense text
    latin_source: str  # the pattern of the Latin `*` and `~` terms, "" when there are none
    other_source: str  # the same for the other scripts

    def search(self, words: str, packed: str, *, plain_only: bool = False) -> str | None:
        """The first term found in `words` (latin_words of the text) or `packed` (dense)."""
        spaced = f" {words} "
        for term in self.words:
            if term in spaced:
                return term.strip()
        for term in self.chars:
            if term in packed:
                return term
        if plain_only:
            return None
        for source, text in ((self.latin_source, spaced), (self.other_source, packed)):
            found = _pattern(source).search(text) if source else None
            if found:
                return found.group(0).strip()
        return None


@functools.cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def compile_terms(terms: list[str] | tuple[str, ...]) -> Terms | None:
    if not terms:
        return None
    # Longest first (a longer phrase wins), then by text: the order must not depend on hashing,
    # or two builds of one commit would pack different JSON.
    folded = sorted({fold(t).strip() for t in terms}, key=lambda t: (-len(t), t))
    plain = [t for t in folded if "*" not in t and "~" not in t]
    patterned = [t for t in folded if t not in plain]

    def source(latin: bool) -> str:
        return "|".join(f"(?:{_term_pattern(t)})" for t in patterned if is_latin(t) == latin)

    return Terms(
        words=tuple(f" {t} " for t in plain if is_latin(t)),
        chars=tuple(t.replace(" ", "") for t in plain if not is_latin(t)),
        latin_source=source(latin=True),
        other_source=source(latin=False),
    )


def _vocabulary(*groups: list[str]) -> frozenset[str]:
    return frozenset(
        fold(term)
        for group in groups
        for term in group
        if " " not in term and "*" not in term and term.isascii() and len(term) >= 7
    )


def _build(code: str, data: dict[str, Any]) -> Lexicon:
    from dovvy.chat.symptoms import CATEGORIES, FIRST_AID_KINDS

    where = f"catalogue/languages/{code}.yaml"

    def terms(field: str) -> list[str]:
        value = data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            raise LexiconError(f"{where}: {field} must be a list of terms")
        return [str(t) for t in value]

    def categories(field: str) -> dict[str, list[str]]:
        value = data.get(field) or {}
        if not isinstance(value, dict):
            raise LexiconError(f"{where}: {field} must map categories to lists of terms")
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise LexiconError(f"{where}: {field}: {unknown[0]} is not a category")
        for category, listed in value.items():
            if not isinstance(listed, list) or not all(isinstance(t, str) and t.strip() for t in listed):
                raise LexiconError(f"{where}: {field}.{category} must be a list of terms")
        return {str(k): [str(t) for t in v] for k, v in value.items()}

    def compiled(listed: list[str]) -> Terms:
        found = compile_terms(listed)
        assert found is not None
        return found

    if data.get("code") != code:
        raise LexiconError(f"{where}: code must be {code!r}")
    emergency, after = categories("emergency"), categories("after_diving")
    animals = []
    for term, spec in (data.get("animals") or {}).items():
        kind, _, danger = str(spec).partition(" ")
        if kind not in FIRST_AID_KINDS or danger not in ("", "dangerous"):
            raise LexiconError(f"{where}: animals.{term}: {spec!r} is not '<first-aid kind> [dangerous]'")
        animals.append((compiled([str(term)]), kind, danger == "dangerous"))
    glossary = sorted((data.get("glossary") or {}).items(), key=lambda kv: -len(str(kv[0])))
    pairs = str(data.get("folds") or "").replace(" ", "")
    if len(pairs) % 2:
        raise LexiconError(f"{where}: folds must be pairs of characters")
    return Lexicon(
        code=code,
        name=str(data.get("name") or code),
        english_name=str(data.get("english_name") or code),
        common=frozenset(fold(w) for w in terms("common")),
        emergency={c: compiled(t) for c, t in emergency.items() if t},
        after_diving={c: compiled(t) for c, t in after.items() if t},
        dive_context=compile_terms(terms("dive_context")),
        happening=compile_terms(terms("happening") + terms("urgent")),
        urgent=compile_terms(terms("urgent")),
        not_happening=compile_terms(terms("not_happening")),
        asking=compile_terms(terms("asking")),
        no_one_hurt=compile_terms(terms("no_one_hurt")),
        severe=compile_terms(terms("severe")),
        symptoms=compile_terms(terms("symptoms")),
        diving=compile_terms(terms("diving")),
        animals=tuple(animals),
        contact=compile_terms(terms("contact")),
        injection=compile_terms(terms("injection")),
        glossary=tuple((compiled([str(term)]), str(english)) for term, english in glossary),
        vocabulary=_vocabulary(*emergency.values(), *after.values(), terms("symptoms")),
        folds={pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)},
        variants={str(k): frozenset(str(v)) for k, v in (data.get("variants") or {}).items()},
        answer_as=str(data.get("answer_as") or code),
        evidence_terms=tuple(
            found
            for listed in (*emergency.values(), *after.values(), terms("symptoms"))
            if (found := compile_terms([t for t in listed if _evidence(t)])) is not None
        ),
    )


# Bundles carry the lexicons already built, as JSON (`scripts/package_functions.py`, `packed`):
# reading that costs a fraction of parsing and folding the YAML at a function's first message.
PACKED = "languages.json"


def packed() -> dict[str, Any]:
    """Every lexicon as plain JSON data (what a bundle carries)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Terms):
            return [list(value.words), list(value.chars), value.latin_source, value.other_source]
        if isinstance(value, frozenset):
            return sorted(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    return {
        code: {f.name: plain(getattr(lexicon, f.name)) for f in dataclasses.fields(lexicon)}
        for code, lexicon in _built(read_files()).items()
    }


def _unpacked(data: dict[str, Any]) -> Lexicon:
    def terms(value: Any) -> Terms | None:
        return None if value is None else Terms(tuple(value[0]), tuple(value[1]), value[2], value[3])

    def required(value: Any) -> Terms:
        found = terms(value)
        assert found is not None
        return found

    optional = ("dive_context", "happening", "urgent", "not_happening", "asking", "no_one_hurt")
    return Lexicon(
        code=data["code"],
        name=data["name"],
        english_name=data["english_name"],
        common=frozenset(data["common"]),
        emergency={k: required(v) for k, v in data["emergency"].items()},
        after_diving={k: required(v) for k, v in data["after_diving"].items()},
        **{
            name: terms(data[name])
            for name in (*optional, "severe", "symptoms", "diving", "contact", "injection")
        },
        animals=tuple((required(a), kind, bool(dangerous)) for a, kind, dangerous in data["animals"]),
        glossary=tuple((required(t), english) for t, english in data["glossary"]),
        vocabulary=frozenset(data["vocabulary"]),
        folds=dict(data["folds"]),
        variants={k: frozenset(v) for k, v in data["variants"].items()},
        answer_as=data["answer_as"],
        evidence_terms=tuple(required(v) for v in data["evidence_terms"]),
    )


def read_files() -> dict[str, dict[str, Any]]:
    """Every language file's data, by code, from the YAML sources (every value a string)."""
    import yaml

    folder = resources.files("dovvy").joinpath("catalogue", "languages")
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        try:
            data = yaml.load(entry.read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506 - strings only
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"catalogue/languages/{entry.name}: cannot read ({exc})") from None
        if not isinstance(data, dict):
            raise LexiconError(f"catalogue/languages/{entry.name}: not a mapping")
        found[entry.name.removesuffix(".yaml")] = data
    return found


def _built(files: dict[str, dict[str, Any]]) -> dict[str, Lexicon]:
    found = {code: _build(code, data) for code, data in files.items()}
    if ENGLISH not in found:
        raise LexiconError("catalogue/languages/en.yaml is missing")
    return found


@functools.cache
def lexicons() -> dict[str, Lexicon]:
    """Every language's lexicon, by code (read once per process)."""
    packed = catalogue.bundled(PACKED)
    if packed is not None:
        return {code: _unpacked(data) for code, data in packed.items()}
    return _built(read_files())


@functools.cache
def _english_patterns() -> re.Pattern[str]:
    from dovvy.chat import symptoms

    every = [p for group in (symptoms.ALWAYS, symptoms.AFTER_DIVING) for ps in group.values() for p in ps]
    return symptoms.compiled((*every, symptoms.CAUTION, symptoms.VERTIGO))


def _evidence(term: str) -> bool:
    """Whether a term says its language: plain (no `*` or `~`) and not something English has."""
    return "*" not in term and "~" not in term and not _english_term(fold(term).strip())


def _english_term(term: str) -> bool:
    from dovvy.chat.symptoms import VOCABULARY

    return _english_patterns().search(term) is not None or any(w in VOCABULARY for w in term.split())


def _loader() -> Any:
    import yaml

    # Every value is a string: "no", "y" and "on" are words here, not booleans.
    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def read(message: str) -> Reading:
    """The languages `message` is written in. Script decides Korean, Japanese and Thai (and Han
    without kana, Chinese); Latin text is weighed by each language's common words and terms."""
    folded = fold(message)
    words = LATIN_WORD.findall(folded)
    table = lexicons()
    scores: dict[str, int] = {}
    for code, script in _SCRIPTS:
        if code in table and script.search(folded):
            scores[code] = 10
    if "zh" in table and "ja" not in scores and _HAN.search(folded):
        scores["zh"] = 10
    for code, lexicon in table.items():
        if code in scores:
            continue
        common, terms = lexicon.evidence(words, folded)
        if not common and code in _SCRIPT_LANGUAGES:
            continue  # Korean, Thai, Chinese: their script says so; Japanese romaji has words
        score = common + 2 * len(terms)
        if score:
            scores[code] = score
    english = scores.get(ENGLISH, 0)
    others = sorted(((s, c) for c, s in scores.items() if c != ENGLISH), key=lambda sc: -sc[0])
    top = others[0][0] if others else 0
    # A language is read in when it has clear evidence of its own, not one word it shares with
    # the message's real language (Spanish "para" in Tagalog); script languages always do.
    ordered = [c for s, c in others if s >= _CLEAR_LEAD and 2 * s >= top]
    # English rules run whenever an English word is there (people mix in "my friend", "what to
    # do") or nothing else clearly holds the message; English's common words leave out the words
    # other languages share (die, was, no), so a German sentence never runs them. Another language
    # is answered in only when it has clear evidence (a lone Spanish "no" does not make it Spanish).
    if english or not (top >= _CLEAR_LEAD):
        ordered.insert(0 if english >= top or top < _CLEAR_LEAD else len(ordered), ENGLISH)
    primary = ordered[0]
    reply = table[primary].variant(folded) if primary != ENGLISH else ENGLISH
    return Reading(tuple(ordered), reply)


def gloss(message: str, language: str) -> tuple[bool, str]:
    """(whether `message` names diving in `language`, the English words its glossary gives for
    it, with the names it holds): what the router and the search read for a question not
    written in English. The English knowledge base is searched with these words alone: the
    offline embedder knows no Malay, and the message's own words only dilute the query."""
    lexicon = lexicons().get(language.split("-", maxsplit=1)[0])
    if lexicon is None or lexicon.code == ENGLISH:
        return False, ""
    text = lexicon.unfold(fold(message))
    words, packed = latin_words(text), dense(text)
    diving = lexicon.diving is not None and lexicon.diving.search(words, packed) is not None
    english = [meaning for term, meaning in lexicon.glossary if term.search(words, packed)]
    if english:
        # Names keep their spelling across languages (Perhentian, PADI, 3mm): they search as is.
        english += re.findall(r"\b(?:[A-Z][A-Za-z]+|[A-Za-z]*\d+[A-Za-z]*)\b", message)
    return diving, " ".join(dict.fromkeys(" ".join(english).split()))
