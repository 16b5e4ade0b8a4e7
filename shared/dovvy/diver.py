"""The diver profile: one typed schema for what the API accepts and the sessions table stores.
Light to import: the session and lead functions load it on their cold path."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from dovvy.profile_limits import MAX_INTERESTS

# Whitespace as JSON Schema's regular expressions (ECMAScript `\s`) define it, so "blank after
# trimming" means the same to the server and to the contract's `pattern: "\\S"`. Python's own
# str.strip() differs (it trims U+0085 and U+001C-U+001F, keeps U+FEFF).
_SPACE = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def trimmed(value: Any) -> Any:
    """A string (or each string in a list) without surrounding whitespace; anything else as it is."""
    if isinstance(value, str):
        return value.strip(_SPACE)
    if isinstance(value, list):
        return [item.strip(_SPACE) if isinstance(item, str) else item for item in value]
    return value


class Trimmed(BaseModel):
    """A model whose text fields are trimmed before their length is checked (except those named in
    `_untrimmed`, whose every character counts)."""

    _untrimmed: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _trim(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                key: trimmed(value)
                if (key in cls.model_fields or _aliased(cls, key)) and key not in cls._untrimmed
                else value
                for key, value in data.items()
            }
        return data


def _aliased(model: type[BaseModel], key: str) -> bool:
    return any(key in getattr(field.validation_alias, "choices", ()) for field in model.model_fields.values())


def _whole_number(value: Any) -> Any:
    # JSON Schema counts 12.0 as an integer; true and "12" are not (StrictInt refuses them).
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInt = Annotated[StrictInt, BeforeValidator(_whole_number)]
"""An integer as JSON Schema means it: 12 or 12.0, never true or "12"."""

_Text = Annotated[str, Field(min_length=1, max_length=100)]


class DiverProfile(Trimmed):
    """What the assistant knows about a diver. Unknown keys are ignored; a known key with the wrong
    type is a 422 naming it. A known certification name or abbreviation is stored canonically."""

    model_config = ConfigDict(extra="ignore")
    certification_level: _Text | None = None
    certification_agency: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    logged_dives: JsonInt | None = Field(default=None, ge=0, le=100_000)
    last_dive: _Text | None = None
    interests: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=MAX_INTERESTS
    )
    destination: _Text | None = None
    travel_dates: _Text | None = None
    group_size: JsonInt | None = Field(default=None, ge=1, le=50)

    @field_validator("certification_level")
    @classmethod
    def _canonical_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from dovvy import (
            catalogue,  # read only when a level is given: keeps it off session and lead cold starts
        )

        found = catalogue.level(value)
        return found.name if found else value

    def stored(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def valid_fields(model: type[BaseModel], raw: Any, *, keep_null: bool = False) -> dict[str, Any]:
    """The fields of a stored JSON object that still validate against `model`, each on its own (rows
    written before a schema existed may hold anything); nulls are dropped unless `keep_null`."""
    if not isinstance(raw, dict):
        return {}
    kept: dict[str, Any] = {}
    for name in model.model_fields:
        if name in raw:
            try:
                kept.update(model.model_validate({name: raw[name]}).model_dump(exclude_unset=True))
            except ValidationError:
                continue
    return kept if keep_null else {k: v for k, v in kept.items() if v is not None}


def stored_profile(raw: Any) -> dict[str, Any]:
    """A profile read back from the database, keeping only the fields that are still valid (a row
    written before interests were bounded keeps its newest MAX_INTERESTS)."""
    if isinstance(raw, dict) and isinstance(raw.get("interests"), list):
        raw = {**raw, "interests": raw["interests"][-MAX_INTERESTS:]}
    return valid_fields(DiverProfile, raw)
