"""Text, by one set of rules: words, tokens, sentences, headings, and the words searches ignore.

Chunking, retrieval, the offline composer, the safety screen and the chat's rules all read text;
they take these definitions from here so a word, a sentence or a heading means the same thing in
each of them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

# Letters and digits; callers lower-case where case does not matter.
WORD = re.compile(r"[A-Za-z0-9]+")
# What counts towards a chunk's size: words and single punctuation marks.
TOKEN = re.compile(r"\w+|[^\w\s]")
# The start of a Markdown ATX heading: one to six hashes, space, then text.
_HEADING_START = re.compile(r"(#{1,6})\s+(?=\S)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# A sentence ends at . ! or ? followed by space and something that starts a sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")

# Words that carry a question's grammar, not its topic.
GRAMMAR_WORDS = frozenset(
    """a about above after again all am an and any are as at be because been before being below
    between both but by did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our out over own same she so some such than that the
    their them then there these they this those through to too under until up very was we were
    what when where which while who whom why with you your yours""".split()
)

# The same grammar as people type it in a chat box, and what an apostrophe leaves of a word ("what's":
# "what", "s"). No article holds them, so counted as words the knowledge base lacks they made every
# article look less relevant to "whats a cesa and when do u do one".
CHAT_WORDS = frozenset(
    """s t d m ll ve re whats thats theres hows wheres whos im ive youre ur u r ya pls plz thx tbh
    lol idk imo btw gonna wanna gotta kinda dont doesnt didnt cant wont isnt arent wasnt shouldnt
    wouldnt couldnt hi hiya hey ok okay yeah nah""".split()
)

# Words nearly every passage of a diving knowledge base contains, or that only carry the shape of
# a question: matching on them would match everything and drown the words that say what a
# question is about.
SHARED_DIVING_WORDS = frozenset(
    """dive dives diving dived diver divers scuba underwater water go going get need needs want
    know good best like can could should would will also really one much many way thing things
    tell please help use used stand stands mean means meaning again""".split()
)


@dataclasses.dataclass(frozen=True)
class Heading:
    level: int
    title: str


def heading(line: str) -> Heading | None:
    """The line as a Markdown ATX heading ("## Title", closing hashes allowed), or None. Trailing
    spaces and hashes are stripped by string methods, in linear time: a pattern doing the same
    tried every way thousands of spaces could be split (30 s for a heading of 2,000)."""
    start = _HEADING_START.match(line)
    if start is None:
        return None
    text = line[start.end() :].rstrip()
    title = text.rstrip("#").rstrip() or text
    return Heading(len(start.group(1)), title)


def words(text: str) -> list[str]:
    """Lower-case words, apostrophes kept inside them ("don't"), curly ones straightened."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def count_tokens(text: str) -> int:
    return len(TOKEN.findall(text))


def sentences(text: str) -> list[str]:
    return SENTENCE_END.split(text)


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, whitespace folded."""
    return " ".join(text.lower().replace("\u2019", "'").split())


@dataclasses.dataclass(frozen=True)
class PhraseTable:
    """Known phrases (place names, things, divers' usage) found in a text word by word: a table
    keyed by each phrase's words builds in about a millisecond, where one pattern alternating
    hundreds of phrases took 8-60 ms to compile on a function's first request. Words are `WORD`s,
    so "sharm el sheikh" is found for "sharm el-sheikh"."""

    by_words: dict[tuple[str, ...], str]  # a phrase's words -> the phrase as listed
    longest: int  # the most words a phrase has

    @classmethod
    def of(cls, phrases: Iterable[str]) -> PhraseTable:
        """The table of `phrases` (lower case); of two phrases with the same words, the first."""
        by_words: dict[tuple[str, ...], str] = {}
        for phrase in phrases:
            words = tuple(WORD.findall(phrase.lower()))
            if words:
                by_words.setdefault(words, phrase.lower())
        return cls(by_words, max(map(len, by_words), default=0))

    def find(self, text: str) -> tuple[str, ...]:
        """The phrases `text` holds as whole words, in the order it says them, each once; where two
        start at one word the longer ("papua new guinea", not "guinea"), and a phrase found takes
        its words from any other."""
        words = WORD.findall(text.lower())
        found: dict[str, None] = {}
        start = 0
        while start < len(words):
            for length in range(min(self.longest, len(words) - start), 0, -1):
                phrase = self.by_words.get(tuple(words[start : start + length]))
                if phrase is not None:
                    found[phrase] = None
                    start += length
                    break
            else:
                start += 1
        return tuple(found)
