"""JSON objects checked against a declared shape: the API's request bodies, what the sessions table
stores, the catalogue's files.

Ours rather than pydantic's: the session and lead functions check one body on their cold path, and
importing pydantic and building its schemas took about half of that first request (`dovvy bench
coldstart`). A check reports every problem at once as {"field", "message", "type"} items, the shape
of a 422's detail. Text is trimmed (JSON Schema's whitespace) before its length is checked.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

Problem = dict[str, str]
Path = tuple[str | int, ...]

# Whitespace as JSON Schema's regular expressions (ECMAScript `\s`) define it, so "blank after
# trimming" means the same to the server and to the contract's `pattern: "\\S"`. Python's own
# str.strip() differs (it trims U+0085 and U+001C-U+001F, keeps U+FEFF).
SPACE = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


class ShapeError(Exception):
    """A value does not have its shape; `problems` names each field that is wrong and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))
        self.problems = problems


class _Bad:
    """What a field check returns when it has reported a problem."""


BAD: Any = _Bad()


def trimmed(value: Any) -> Any:
    """A string (or each string in a list) without surrounding whitespace; anything else as it is."""
    if isinstance(value, str):
        return value.strip(SPACE)
    if isinstance(value, list):
        return [item.strip(SPACE) if isinstance(item, str) else item for item in value]
    return value


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def __call__(self, path: Path, message: str, kind: str) -> Any:
        self.problems.append(
            {"field": ".".join(str(part) for part in path) or "body", "message": message, "type": kind}
        )
        return BAD


class Kind(Protocol):
    def check(self, value: Any, path: Path, report: _Report) -> Any: ...


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclasses.dataclass(frozen=True)
class Text:
    max_length: int | None = None
    min_length: int = 0
    pattern: str | None = None
    # Run on the trimmed, length-checked text; may refine it, or raise ValueError with the reason.
    then: Callable[[str], str] | None = None

    def check(self, value: Any, path: Path, report: _Report) -> Any:
        if not isinstance(value, str):
            return report(path, "must be a string", "string_type")
        if len(value) < self.min_length:
            return report(
                path, f"must have at least {_plural(self.min_length, 'character')}", "string_too_short"
            )
        if self.max_length is not None and len(value) > self.max_length:
            return report(
                path, f"must have at most {_plural(self.max_length, 'character')}", "string_too_long"
            )
        if self.pattern is not None and not re.search(self.pattern, value):
            return report(path, f"must match {self.pattern}", "string_pattern_mismatch")
        if self.then is not None:
            try:
                return self.then(value)
            except ValueError as exc:
                return report(path, str(exc), "value_error")
        return value


@dataclasses.dataclass(frozen=True)
class Whole:
    """An integer as JSON Schema means it: 12 or 12.0, never true or "12"."""

    ge: int | None = None
    le: int | None = None

    def check(self, value: Any, path: Path, report: _Report) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return report(path, "must be a whole number", "int_type")
        if self.ge is not None and value < self.ge:
            return report(path, f"must be at least {self.ge}", "greater_than_equal")
        if self.le is not None and value > self.le:
            return report(path, f"must be at most {self.le}", "less_than_equal")
        return value


@dataclasses.dataclass(frozen=True)
class Flag:
    def check(self, value: Any, path: Path, report: _Report) -> Any:
        return value if isinstance(value, bool) else report(path, "must be true or false", "bool_type")


@dataclasses.dataclass(frozen=True)
class Uuid:
    def check(self, value: Any, path: Path, report: _Report) -> Any:
        if isinstance(value, str):
            try:
                return uuid.UUID(value)
            except ValueError:
                pass
        return report(path, "must be a UUID", "uuid_parsing")


@dataclasses.dataclass(frozen=True)
class OneOf:
    options: tuple[str, ...]

    def check(self, value: Any, path: Path, report: _Report) -> Any:
        if isinstance(value, str) and value in self.options:
            return value
        return report(path, f"must be one of: {', '.join(self.options)}", "literal_error")


@dataclasses.dataclass(frozen=True)
class AnyObject:
    """A JSON object whose content another shape checks later (a lead's `data`, by its type)."""

    def check(self, value: Any, path: Path, report: _Report) -> Any:
        return value if isinstance(value, dict) else report(path, "must be an object", "dict_type")


@dataclasses.dataclass(frozen=True)
class ListOf:
    item: Kind
    min_items: int = 0
    max_items: int | None = None

    def check(self, value: Any, path: Path, report: _Report) -> Any:
        if not isinstance(value, list):
            return report(path, "must be a list", "list_type")
        if len(value) < self.min_items:
            return report(path, f"must have at least {_plural(self.min_items, 'item')}", "too_short")
        if self.max_items is not None and len(value) > self.max_items:
            return report(path, f"must have at most {_plural(self.max_items, 'item')}", "too_long")
        items = [self.item.check(v, (*path, i), report) for i, v in enumerate(value)]
        return BAD if any(v is BAD for v in items) else items


@dataclasses.dataclass(frozen=True)
class Shape:
    """An object's fields by (snake_case) name. Optional fields may be null unless in `not_null`;
    `camel` fields may also be spelled in camelCase (one spelling per request); `untrimmed` fields
    keep every character."""

    fields: Mapping[str, Kind]
    required: frozenset[str] = frozenset()
    not_null: frozenset[str] = frozenset()
    extra: Literal["forbid", "ignore"] = "forbid"
    camel: frozenset[str] = frozenset()
    untrimmed: frozenset[str] = frozenset()

    def check(self, value: Any, path: Path, report: _Report) -> Any:
        if not isinstance(value, dict):
            return report(path, "must be an object", "dict_type")
        spellings = {name: _spellings(name) if name in self.camel else (name,) for name in self.fields}
        known = {s for names in spellings.values() for s in names}
        checked: dict[str, Any] = {}
        bad = False
        for name, kind in self.fields.items():
            given = [s for s in spellings[name] if s in value]
            if len(given) > 1:
                report(path, f"give one of {' or '.join(given)}, not both", "value_error")
                bad = True
                continue
            if not given:
                if name in self.required:
                    report((*path, spellings[name][0]), "is required", "missing")
                    bad = True
                continue
            key = given[0]
            raw = value[key] if name in self.untrimmed else trimmed(value[key])
            if raw is None and name not in self.required and name not in self.not_null:
                checked[name] = None
                continue
            result = kind.check(raw, (*path, key), report)
            bad = bad or result is BAD
            checked[name] = result
        if self.extra == "forbid":
            for key in value:
                if key not in known:
                    report((*path, key), "is not a field of this object", "extra_forbidden")
                    bad = True
        return BAD if bad else checked


def _spellings(snake: str) -> tuple[str, ...]:
    """camelCase first (what the frontend sends), then snake_case."""
    head, *rest = snake.split("_")
    return (head + "".join(part.title() for part in rest), snake)


def checked(shape: Shape, value: Any, prefix: Path = ()) -> dict[str, Any]:
    """The fields `value` holds (null ones included), converted; raises ShapeError naming every
    problem."""
    report = _Report()
    result = shape.check(value, prefix, report)
    if result is BAD:
        raise ShapeError(report.problems)
    found: dict[str, Any] = result
    return found


def valid_part(shape: Shape, raw: Any) -> dict[str, Any]:
    """The fields of a stored object that still have their shape, each on its own (rows written
    before a field was bounded may hold anything); unknown keys and invalid values are dropped."""
    if not isinstance(raw, dict):
        return {}
    kept: dict[str, Any] = {}
    for name, kind in shape.fields.items():
        if name in raw:
            report = _Report()
            value = None if raw[name] is None else kind.check(trimmed(raw[name]), (name,), report)
            if value is not BAD:
                kept[name] = value
    return kept
