"""The diver profile: one typed schema for what the API accepts and the sessions table stores.
Light to import: the session and lead functions load it on their cold path."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

_Text = Annotated[str, Field(min_length=1, max_length=100)]


class DiverProfile(BaseModel):
    """What the assistant knows about a diver. Unknown keys are ignored; a known key with the wrong
    type is a 422 naming it. A known certification name or abbreviation is stored canonically."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    certification_level: _Text | None = None
    certification_agency: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    logged_dives: StrictInt | None = Field(default=None, ge=0, le=100_000)
    last_dive: _Text | None = None
    interests: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=30
    )
    destination: _Text | None = None
    travel_dates: _Text | None = None
    group_size: StrictInt | None = Field(default=None, ge=1, le=50)

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
    """A profile read back from the database, keeping only the fields that are still valid."""
    return valid_fields(DiverProfile, raw)
