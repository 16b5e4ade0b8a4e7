"""Which languages a message is written in, and what a question in another language says in
English words.

Detection is a small rule set, not a model: the scripts a message uses (Hangul, kana, Thai, Arabic, Han)
and, for Latin script, how many of each language's common words and lexicon terms it holds.
English is the fallback and stays in play unless another language clearly holds the message, so a
short "no pulse!!" is still read as English while a German sentence's "die" is never read as the
English verb.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

from dovvy.chat.lexicon import ENGLISH, lexicons
from dovvy.chat.terms import LATIN_WORD, dense, fold, latin_words
from dovvy.text import CHAT_WORDS, GRAMMAR_WORDS

# Unicode blocks that settle a language by script alone.
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# The script each script language is written in. Han alone says Chinese only without kana (Japanese
# writes Han too), so `read` settles Chinese after the others.
_SCRIPT_OF = {"ko": _HANGUL, "ja": _KANA, "th": _THAI, "ar": _ARABIC, "zh": _HAN}
# Persian and Urdu are written in the Arabic script but are not Arabic: they write ی and ک where
# Arabic writes ي and ك, and letters Arabic lacks (پ چ ژ گ ٹ ڈ ڑ ں ے). The Arabic lexicon cannot
# read them; better told so, with the numbers, than answered as if it could.
_PERSIAN_URDU = re.compile("[\u06cc\u06a9\u067e\u0686\u0698\u06af\u0679\u0688\u0691\u06ba\u06d2\u06c1\u06c0]")
_ARABIC_ONLY = re.compile("[\u064a\u0649\u0643\u0629]")


def _scripts_read(text: str) -> tuple[str, ...]:
    """The script languages whose lexicon can read `text` in its script: those with a lexicon, and
    Arabic only when its letters are Arabic's, not Persian's or Urdu's."""
    persian = len(_PERSIAN_URDU.findall(text)) > len(_ARABIC_ONLY.findall(text))
    return tuple(code for code in _SCRIPT_OF if code in lexicons() and not (code == "ar" and persian))


# How much more evidence another language needs before English rules stop applying.
_CLEAR_LEAD = 2
# Latin text of no language we read: at least this many words, under this share English grammar
# ("mijn vriend is flauwgevallen na het duiken en ademt niet" has one in ten; English a third).
_FEWEST_WORDS = 4
_LEAST_ENGLISH = 0.15
_WORDS = re.compile(r"[^\W\d_]+")  # words in any letters, accented or dotless ones too


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


def read(message: str) -> Reading:
    """The languages `message` is written in. Script decides Korean, Japanese, Thai and Arabic (and
    Han without kana, Chinese); Latin text is weighed by each language's common words and terms."""
    folded = fold(message)
    words = LATIN_WORD.findall(folded)
    table = lexicons()
    scores: dict[str, int] = {}
    for code in _scripts_read(folded):
        if _SCRIPT_OF[code].search(folded) and (code != "zh" or "ja" not in scores):
            scores[code] = 10
    english_words = table[ENGLISH].common if ENGLISH in table else frozenset()
    for code, lexicon in table.items():
        if code in scores:
            continue
        common, terms = lexicon.evidence(words, folded, english_words if code != ENGLISH else frozenset())
        if not common and code in _SCRIPT_OF:
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


def unread(message: str) -> bool:
    """Whether `message` is in a language no lexicon reads, so that nothing can be told of what it
    says, not even that it is off topic: most of its letters in a script none reads (Cyrillic,
    Hebrew, Devanagari...), or four words or more in Latin letters that no language claims and
    hardly one of them English grammar (Dutch, Turkish, Polish...)."""
    letters = [char for char in message if char.isalpha()]
    readable = [_SCRIPT_OF[code] for code in _scripts_read(message)]
    read_letters = sum(
        1
        for char in letters
        if unicodedata.name(char, "").startswith("LATIN") or any(p.match(char) for p in readable)
    )
    if 2 * read_letters < len(letters):
        return True
    words = [fold(word) for word in _WORDS.findall(message)]
    if len(words) < _FEWEST_WORDS or read(message).languages != (ENGLISH,):
        return False
    grammar = sum(1 for word in words if word in _english_grammar())
    return grammar < _LEAST_ENGLISH * len(words)


@functools.cache
def _english_grammar() -> frozenset[str]:
    # Not what an apostrophe leaves ("ve", "re", "m"): Turkish "ve" is "and".
    common = lexicons()[ENGLISH].common if ENGLISH in lexicons() else frozenset()
    return GRAMMAR_WORDS | common | {word for word in CHAT_WORDS if len(word) > 2}


def english_name(language: str) -> str | None:
    """The English name of a reply language other than English (for the model's instruction)."""
    lexicon = lexicons().get(language.split("-", maxsplit=1)[0])
    return lexicon.english_name if lexicon is not None and lexicon.code != ENGLISH else None


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
