"""The offline composer: a deterministic answer built from the retrieved passages, no network.

It picks the sentences of the best passages that share the most words with the question, keeps
them in reading order and cites their sources. It is labelled as such, so nobody mistakes it for
a model's answer; it lets the whole chat flow run and be tested with no key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

from dovvy.passages import Passage
from dovvy.providers.llm import Generation, Prompt
from dovvy.text import GRAMMAR_WORDS, SENTENCE_END, SHARED_DIVING_WORDS, WORD, PhraseTable

LABEL = "(Offline answer, composed from the DovvyBuddy knowledge base.)"
# Words that say nothing about which sentence answers the question.
_IGNORED = GRAMMAR_WORDS | SHARED_DIVING_WORDS


# A few words divers use for the same idea, folded together before comparing.
_SAME = {
    "deep": "depth",
    "deeper": "depth",
    "deepest": "depth",
    "meters": "metre",
    "metres": "metre",
    "meter": "metre",
    "m": "metre",
    "plane": "fly",
    "flight": "fly",
    "flights": "fly",
    "flying": "fly",
    "airplane": "fly",
    "ears": "ear",
    "equalise": "equalize",
    "equalising": "equalize",
    "equalizing": "equalize",
    "eanx": "nitrox",
    "ean32": "nitrox",
    "ean36": "nitrox",
    "enriched": "nitrox",
    "bent": "bends",
}


def _stem(word: str) -> str:
    word = _SAME.get(word, word)
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


def _stems(text: str) -> set[str]:
    return {_stem(word) for word in WORD.findall(text.lower()) if word not in _IGNORED and len(word) > 2}


def _plain(markdown: str) -> str:
    text = re.sub(r"^\s*[-*+]\s+|^\s*\d+[.)]\s+", "", markdown, flags=re.M)
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"^\|.*\|$", "", text, flags=re.M)  # tables are summarised by their rows' text below
    return " ".join(text.split())


def _table_rows(markdown: str) -> list[str]:
    rows = []
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.strip().startswith("|") and not all(set(c) <= {"-", " ", ":"} for c in cells):
            rows.append(": ".join(c for c in cells if c) + ".")
    return rows[1:] if len(rows) > 1 else rows  # drop the header row


def _off_subject(passages: Sequence[Passage], wanted: set[str]) -> set[int]:
    """Positions of sections the question is not about: where sibling sections name their subject
    (an article's "Dive sites > Batu Malang", "> Renggis Island"...), only those naming what the
    question names most are used, so an answer about one site carries no sentence of another."""
    leaves: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for position, passage in enumerate(passages):
        parent, _, leaf = passage.heading.rpartition(" > ")
        if parent:
            named = len(wanted & _stems(leaf))
            leaves.setdefault((passage.content_path, parent), []).append((position, named))
    dropped: set[int] = set()
    for siblings in leaves.values():
        most = max(named for _, named in siblings)
        if most:
            dropped |= {position for position, named in siblings if named < most}
    return dropped


@functools.lru_cache(maxsize=64)
def _naming(places: tuple[str, ...]) -> PhraseTable | None:
    """The table finding any of `places` as whole words (`dovvy.text.PhraseTable`)."""
    return PhraseTable.of(places) if places else None


# "How do I equalize?" asks for the steps: a section headed as a procedure answers it.
_ASKS_HOW = re.compile(r"\bhow (do|can|should|would|to) |\bhow to\b|\bwhat (do|should) (i|we) do\b")
_PROCEDURE = re.compile(r"\b(techniques?|how to|steps?|methods?|procedures?|what to do)\b", re.I)
# As much as two of the question's words: the steps outrank a warning that repeats the question's
# words (chosen on the conversations' dev split: "how do I equalize" now gets Valsalva).
STEPS_WEIGHT = 2.0
# Each place an article stands lower in the sources costs a sentence one shared word: retrieval
# ranks the article that answers first far more often than a sentence's shared words pick it (on
# the chat sets' dev questions the answer led with an article that answers it 0.68 of the time at
# 0.25, 0.82 at 1 and 1.5, the scripted conversations unchanged; at 3 they lost two checks).
RANK_WEIGHT = 1.0


def _asked(question: str, here: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(the question's words, the words of the place it is about). The place names itself in
    nearly every sentence of its guide: when the question asks something else about it ("reef
    hooks"), its name is left out of the words and counts once, as a single word; when it asks
    nothing else, the place's words are the question's."""
    wanted = _stems(question)
    place = wanted & _stems(" ".join(here))
    return (wanted - place, place) if wanted - place else (wanted, set())


def compose(question: str, prompt: Prompt, limit: int = 5) -> str:
    wanted, place = _asked(question, prompt.here)
    asks_how = bool(_ASKS_HOW.search(question.lower()))
    here, elsewhere = _naming(prompt.here), _naming(prompt.elsewhere)
    # A site the question names picks its own section of the guide, though its name counts once.
    off_subject = _off_subject(prompt.passages, wanted | place | _stems(prompt.emphasis))
    # In a follow-up ("and for nitrox?") the newest words say what the answer must be about.
    emphasis = _stems(prompt.emphasis) if prompt.emphasis else set()
    scored: list[tuple[float, int, int, str]] = []
    documents: dict[str, int] = {}
    seen: set[str] = set()
    for position, passage in enumerate(prompt.passages):
        p_index = documents.setdefault(passage.content_path, len(documents))
        if position in off_subject:
            continue
        # A section heading says what its sentences are about ("Depth limit ...").
        heading = wanted & _stems(passage.heading)
        steps = asks_how and bool(_PROCEDURE.search(passage.heading.rpartition(" > ")[2]))
        prose = SENTENCE_END.split(_plain(passage.text))
        sentences = prose + _table_rows(passage.text)
        for s_index, sentence in enumerate(sentences):
            # The same sentence in two articles (an emergency number, a rule) is said once.
            said = " ".join(sentence.lower().split())
            if sentence.startswith("Topics:") or said in seen:
                continue
            if elsewhere is not None and elsewhere.find(said) and not (here and here.find(said)):
                continue  # about another place than the question's
            seen.add(said)
            stems = _stems(sentence)
            overlap = len(wanted & stems) + len(emphasis & stems) + 0.75 * len(heading) + STEPS_WEIGHT * steps
            overlap += bool(place & stems)
            if heading and s_index >= len(prose):
                overlap += 0.5  # a table under a matching heading is usually the answer itself
            if overlap >= 0.75 and len(sentence) > 20:
                # Earlier passages rank higher; ties keep reading order.
                scored.append((overlap - RANK_WEIGHT * p_index, position, s_index, sentence))
    best = sorted(scored, key=lambda item: (-item[0], item[1], item[2]))[:limit]
    if not best:
        first = prompt.passages[0]
        documents.setdefault(first.content_path, 0)
        best = [(0.0, 0, 0, s) for s in SENTENCE_END.split(_plain(first.text))[:2]]
    # The sentence that matches best leads, as a direct answer; the rest follow in reading order.
    lead, rest = best[0], sorted(best[1:], key=lambda item: (item[1], item[2]))
    best = [lead, *rest]
    lines = [
        f"{sentence} [{documents[prompt.passages[position].content_path] + 1}]"
        for _, position, _, sentence in best
    ]
    return f"{LABEL}\n\n" + "\n".join(lines)


class OfflineLLM:
    name = "offline"
    hosted = False
    model = "dovvy-offline-composer"

    def generate(self, prompt: Prompt) -> Generation:
        if not prompt.passages:
            return Generation(
                f"{LABEL}\n\nI could not find this in the knowledge base.",
                self.name,
                self.model,
                hosted=False,
            )
        return Generation(compose(prompt.question, prompt), self.name, self.model, hosted=False)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        text = self.generate(prompt).text
        yield from re.findall(r"\S+\s*", text)
