"""The per-language lexicons the safety check and the router read. They are data
(`dovvy/catalogue/languages/<code>.yaml`): adding a language is adding a file. Bundles carry them
already built, as JSON."""

from __future__ import annotations

import dataclasses
import functools

from dovvy import catalogue
from dovvy.chat.terms import Terms, dense

ENGLISH = "en"


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
    what_if: Terms | None  # "what if", "in case": a plea after it asks about the what-if
    what_to_do: Terms | None  # "what do I do": a plea, unless a what-if comes with it
    no_one_hurt: Terms | None  # a course, a drill, a film, an idiom, a joke: no line at all
    answers: Terms | None  # "my answer", "exam question": course material, whatever it pleads
    except_for: Terms | None  # "everyone is fine except Nam": the calming words leave someone out
    # Said beside the danger words, calming them only when nothing else says someone is in danger
    # now: an object ("the GoPro drowned", not "filming with the GoPro, now he is not breathing")
    # or a laugh ("dying of tiredness 555", not "numb leg after the dive, probably nothing 555").
    asides: Terms | None
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
    # Languages so close that a message read as this one is also checked by theirs (Malay and
    # Indonesian share most words, and writers of each use the other's).
    related: tuple[str, ...] = ()
    # Words that start a new sentence where writers use no punctuation (Thai แต่, "but"): a sentence
    # reporting a danger now is read alone as well (`lexicon_check.check_sentences`).
    sentence_breaks: tuple[str, ...] = ()
    # Words the grammar puts inside a phrase ("hindi na siya makahinga"): read without them too.
    particles: frozenset[str] = frozenset()
    # Per list of emergency, after-diving and symptom terms, the plain ones English does not have:
    # what says a message is in this language. The loanwords people mix in ("nag collapse",
    # "hypothermia") are no evidence: English messages use them too, while a Manglish "my friend
    # pengsan" is still read as Malay.
    evidence_terms: tuple[Terms, ...] = ()

    def evidence(
        self, words: list[str], folded: str, shared: frozenset[str] = frozenset()
    ) -> tuple[int, list[str]]:
        """How much of the message says it is in this language: (common words, the terms found,
        one per list). Diving words are left out: "dive" and "scuba" are typed in every language;
        so are the `shared` words (English's "the" and "can" are Vietnamese "thế" and "cần"
        unaccented, and no evidence of Vietnamese in an English message)."""
        common = sum(1 for w in words if w in self.common and w not in shared)
        packed = dense(self.unfold(folded))
        latin = " ".join(words)
        found = (g.search(latin, packed, plain_only=True) for g in self.evidence_terms)
        return common, [t for t in found if t]

    def unfold(self, folded: str) -> str:
        """`folded` with character variants written the lexicon's way (Traditional as Simplified)."""
        return "".join(self.folds.get(c, c) for c in folded) if self.folds else folded

    def variant(self, folded: str) -> str:
        """The reply variant the text is written in (one whose marking characters it holds), else the
        language itself."""
        for name, marks in self.variants.items():
            if any(c in marks for c in folded):
                return name
        return self.answer_as


@functools.cache
def lexicons() -> dict[str, Lexicon]:
    """Every language's lexicon, by code (read once per process)."""
    from dovvy.chat.lexicon_bundle import PACKED, unpacked

    packed = catalogue.bundled(PACKED)
    if packed is not None:
        return {code: unpacked(data) for code, data in packed.items()}
    from dovvy.chat.lexicon_files import built, read_files  # the YAML sources, where no bundle packed them

    return built(read_files())
