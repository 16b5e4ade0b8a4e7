"""The shape checker on its own: what the API's 422s and the lenient reads of stored rows rely on."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dovvy.shape import Flag, ListOf, Shape, ShapeError, Text, Uuid, Whole, checked, valid_part

BODY = Shape(
    {
        "name": Text(min_length=1, max_length=5),
        "count": Whole(ge=1, le=9),
        "tags": ListOf(Text(min_length=1, max_length=3), max_items=2),
        "session_id": Uuid(),
        "flag": Flag(),
        "raw": Text(max_length=3),
    },
    required=frozenset({"name"}),
    not_null=frozenset({"tags"}),
    camel=frozenset({"session_id"}),
    untrimmed=frozenset({"raw"}),
)


def problems(value: Any) -> list[tuple[str, str]]:
    with pytest.raises(ShapeError) as caught:
        checked(BODY, value)
    return [(p["field"], p["type"]) for p in caught.value.problems]


def test_text_is_trimmed_then_bounded_and_whole_numbers_are_json_integers() -> None:
    sid = uuid.uuid4()
    assert checked(BODY, {"name": "  Sam \u3000", "count": 3.0, "sessionId": str(sid), "tags": [" a "]}) == {
        "name": "Sam",
        "count": 3,
        "session_id": sid,
        "tags": ["a"],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({}, [("name", "missing")], id="missing"),
        pytest.param({"name": "   "}, [("name", "string_too_short")], id="blank"),
        pytest.param({"name": None}, [("name", "string_type")], id="required-null"),
        pytest.param({"name": "a", "count": True}, [("count", "int_type")], id="bool-not-int"),
        pytest.param({"name": "a", "count": 2.5}, [("count", "int_type")], id="fraction"),
        pytest.param({"name": "a", "count": "2"}, [("count", "int_type")], id="digits-as-text"),
        pytest.param({"name": "a", "tags": None}, [("tags", "list_type")], id="not-null"),
        pytest.param({"name": "a", "tags": ["a", "b", "c"]}, [("tags", "too_long")], id="too-many"),
        pytest.param({"name": "a", "tags": ["abcd"]}, [("tags.0", "string_too_long")], id="item"),
        pytest.param({"name": "a", "flag": "yes"}, [("flag", "bool_type")], id="flag"),
        pytest.param({"name": "a", "raw": " ab "}, [("raw", "string_too_long")], id="untrimmed"),
        pytest.param({"name": "a", "x": 1}, [("x", "extra_forbidden")], id="extra"),
        pytest.param(
            {"name": "a", "sessionId": "x", "session_id": "y"}, [("body", "value_error")], id="two-spellings"
        ),
        pytest.param(
            {"name": "abcdef", "count": 0, "sessionId": "nope"},
            [("name", "string_too_long"), ("count", "greater_than_equal"), ("sessionId", "uuid_parsing")],
            id="all-at-once",
        ),
    ],
)
def test_every_problem_is_named(value: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(value) == expected


def test_a_stored_row_keeps_only_the_fields_still_valid() -> None:
    assert valid_part(BODY, {"name": " Sam ", "count": 99, "tags": ["ok"], "other": 1}) == {
        "name": "Sam",
        "tags": ["ok"],
    }
    assert valid_part(BODY, ["not", "an", "object"]) == {}
