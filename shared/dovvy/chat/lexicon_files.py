"""The language files read and checked (`dovvy/catalogue/languages/<code>.yaml`) and built into
lexicons: what the tests and the bundle's packing run; a function reads the packed JSON."""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

from dovvy.chat.lexicon import ENGLISH, Lexicon, LexiconError
from dovvy.chat.terms import Terms, compile_terms, fold


def _vocabulary(*groups: list[str]) -> frozenset[str]:
    return frozenset(
        fold(term)
        for group in groups
        for term in group
        if " " not in term and "*" not in term and term.isascii() and len(term) >= 7
    )


class _File:
    """One language file's fields, checked as they are read (a bad one names the file and field)."""

    def __init__(self, code: str, data: dict[str, Any]) -> None:
        self.where = f"catalogue/languages/{code}.yaml"
        self.data = data
        if data.get("code") != code:
            raise LexiconError(f"{self.where}: code must be {code!r}")

    def text(self, field: str, default: str) -> str:
        return str(self.data.get(field) or default)

    def terms(self, field: str) -> list[str]:
        value = self.data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            raise LexiconError(f"{self.where}: {field} must be a list of terms")
        return [str(t) for t in value]

    def compiled(self, field: str) -> Terms | None:
        return compile_terms(self.terms(field))

    def categories(self, field: str) -> dict[str, list[str]]:
        from dovvy.chat.symptoms import CATEGORIES

        value = self.data.get(field) or {}
        if not isinstance(value, dict):
            raise LexiconError(f"{self.where}: {field} must map categories to lists of terms")
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise LexiconError(f"{self.where}: {field}: {unknown[0]} is not a category")
        for category, listed in value.items():
            if not isinstance(listed, list) or not all(isinstance(t, str) and t.strip() for t in listed):
                raise LexiconError(f"{self.where}: {field}.{category} must be a list of terms")
        return {str(k): [str(t) for t in v] for k, v in value.items()}

    def animals(self) -> tuple[tuple[Terms, str, bool], ...]:
        from dovvy.chat.symptoms import FIRST_AID_KINDS

        animals = []
        for term, spec in (self.data.get("animals") or {}).items():
            kind, _, danger = str(spec).partition(" ")
            if kind not in FIRST_AID_KINDS or danger not in ("", "dangerous"):
                raise LexiconError(
                    f"{self.where}: animals.{term}: {spec!r} is not '<first-aid kind> [dangerous]'"
                )
            animals.append((_one(str(term)), kind, danger == "dangerous"))
        return tuple(animals)

    def glossary(self) -> tuple[tuple[Terms, str], ...]:
        glossary = sorted((self.data.get("glossary") or {}).items(), key=lambda kv: -len(str(kv[0])))
        return tuple((_one(str(term)), str(english)) for term, english in glossary)

    def folds(self) -> dict[str, str]:
        pairs = self.text("folds", "").replace(" ", "")
        if len(pairs) % 2:
            raise LexiconError(f"{self.where}: folds must be pairs of characters")
        return {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)}


def _one(term: str) -> Terms:
    found = compile_terms([term])
    assert found is not None
    return found


def _by_category(listed: dict[str, list[str]], particles: frozenset[str]) -> dict[str, Terms]:
    return {
        c: found
        for c, terms in listed.items()
        if (found := compile_terms(terms + _without_particles(terms, particles))) is not None
    }


def _without_particles(terms: list[str], particles: frozenset[str]) -> list[str]:
    """Each term of several words as it reads with the particles left out ("hindi pa umaahon" ->
    "hindi umaahon"), where two words still remain: a message is read without its particles too,
    and "hindi pa po siya umaahon" says the first."""
    bare = []
    for term in terms:
        said = fold(term).split()
        words = [w for w in said if w not in particles]
        if len(said) > len(words) >= 2 and "~" not in (words[0], words[-1]):
            bare.append(" ".join(words))
    return bare


def build(code: str, data: dict[str, Any]) -> Lexicon:
    read = _File(code, data)
    emergency, after = read.categories("emergency"), read.categories("after_diving")
    particles = frozenset(fold(t).strip() for t in read.terms("particles"))
    symptoms = read.terms("symptoms")
    said = (*emergency.values(), *after.values(), symptoms)
    return Lexicon(
        code=code,
        name=read.text("name", code),
        english_name=read.text("english_name", code),
        common=frozenset(fold(w) for w in read.terms("common")),
        emergency=_by_category(emergency, particles),
        after_diving=_by_category(after, particles),
        dive_context=read.compiled("dive_context"),
        happening=compile_terms(read.terms("happening") + read.terms("urgent")),
        urgent=read.compiled("urgent"),
        not_happening=read.compiled("not_happening"),
        asking=read.compiled("asking"),
        what_if=read.compiled("what_if"),
        what_to_do=read.compiled("what_to_do"),
        no_one_hurt=read.compiled("no_one_hurt"),
        answers=read.compiled("answers"),
        except_for=read.compiled("except_for"),
        asides=compile_terms(read.terms("objects") + read.terms("laughter")),
        severe=read.compiled("severe"),
        symptoms=compile_terms(symptoms),
        diving=read.compiled("diving"),
        animals=read.animals(),
        contact=read.compiled("contact"),
        injection=read.compiled("injection"),
        glossary=read.glossary(),
        vocabulary=_vocabulary(*said),
        folds=read.folds(),
        variants={str(k): frozenset(str(v)) for k, v in (data.get("variants") or {}).items()},
        answer_as=read.text("answer_as", code),
        related=tuple(read.terms("related")),
        sentence_breaks=tuple(fold(t).strip() for t in read.terms("sentence_breaks")),
        particles=particles,
        evidence_terms=tuple(
            found
            for listed in said
            if (found := compile_terms([t for t in listed if _evidence(t)])) is not None
        ),
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


def built(files: dict[str, dict[str, Any]]) -> dict[str, Lexicon]:
    found = {code: build(code, _with_related(code, files)) for code, data in files.items()}
    if ENGLISH not in found:
        raise LexiconError("catalogue/languages/en.yaml is missing")
    for lexicon in found.values():
        unknown = [c for c in lexicon.related if c not in found or c == lexicon.code]
        if unknown:
            raise LexiconError(
                f"catalogue/languages/{lexicon.code}.yaml: related: {unknown[0]} is no other language"
            )
    return found


# What says nobody is hurt, or not now, in one language says it in a related one too: a Malay
# "dah sihat" (recovered) read through the Indonesian lexicon must calm it as it calms Malay's.
_SHARED_WITH_RELATED = ("no_one_hurt", "objects", "laughter")


def _with_related(code: str, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data = files[code]
    related = [files[r] for r in data.get("related") or [] if r in files and r != code]
    if not related:
        return data
    merged = dict(data)
    for field in _SHARED_WITH_RELATED:
        lists = [d.get(field) for d in (data, *related)]
        merged[field] = [t for listed in lists if isinstance(listed, list) for t in listed]
    return merged


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
