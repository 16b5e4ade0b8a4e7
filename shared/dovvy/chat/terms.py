"""Lexicon terms and how they are matched. Matching is on folded text: NFKC, lower case, and (for
Latin script) accents dropped, so a lexicon written without diacritics matches Vietnamese typed with
or without them. Latin terms match whole words (`*` ends a prefix, `~` stands for up to four words);
terms in other scripts match as substrings (`~` stands for up to ten characters)."""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

LATIN_WORD = re.compile(r"[a-z0-9]+")
_REDUPLICATED = re.compile(r"\b([a-z]{3,})2\b")


# French elision ("l'eau", "j'ai", "qu'il"): the apostrophe parts two words, which the lexicons
# write apart ("sorti de l eau"); English's "can't" and "I'm" join ("cant", "im") as before.
_ELISION = re.compile(r"\b(qu|[cdjlmnst])['\u2019](?=[^\W\d_])")
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")


def fold(text: str) -> str:
    """NFKC, lower case, Latin accents dropped (đ as d, ß as ss), elided words parted, other
    apostrophes removed."""
    if text.isascii():
        return _ELISION.sub(r"\1 ", text.lower()).replace("'", "")
    text = _ELISION.sub(r"\1 ", unicodedata.normalize("NFKC", text).lower())
    for old, new in (("\u2019", ""), ("'", ""), ("đ", "d"), ("ß", "ss"), ("œ", "oe"), ("æ", "ae")):
        text = text.replace(old, new)
    # Arabic's vowel marks and the tatweel that stretches a word are how it is typed, not spelled.
    text = _ARABIC_MARKS.sub("", text)
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


def edit_distance(a: str, b: str, limit: int) -> int:
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
