"""The lexicons as the JSON a bundle carries (`scripts/package_functions.py`): reading it costs a
fraction of parsing and folding the YAML at a function's first message."""

from __future__ import annotations

import dataclasses
from typing import Any

from dovvy.chat.lexicon import Lexicon
from dovvy.chat.terms import Terms

PACKED = "languages.json"


def packed() -> dict[str, Any]:
    """Every lexicon as plain JSON data (what a bundle carries)."""
    from dovvy.chat.lexicon_files import built, read_files

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
        for code, lexicon in built(read_files()).items()
    }


def unpacked(data: dict[str, Any]) -> Lexicon:
    def terms(value: Any) -> Terms | None:
        return None if value is None else Terms(tuple(value[0]), tuple(value[1]), value[2], value[3])

    def required(value: Any) -> Terms:
        found = terms(value)
        assert found is not None
        return found

    optional: tuple[str, ...] = ("dive_context", "happening", "urgent", "not_happening", "asking")
    optional += ("what_if", "what_to_do", "no_one_hurt", "answers", "except_for", "asides")
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
        related=tuple(data["related"]),
        sentence_breaks=tuple(data["sentence_breaks"]),
        particles=frozenset(data["particles"]),
        evidence_terms=tuple(required(v) for v in data["evidence_terms"]),
    )
