"""Request bodies as the frontend sends them (camelCase, with snake_case accepted)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, AliasChoices, ConfigDict, Field, model_validator

from dovvy.conversation import ConversationState
from dovvy.diver import DiverProfile, JsonInt, Trimmed

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("value is not a valid email address")
    return value


Email = Annotated[str, AfterValidator(_email)]


def _one_line(value: str) -> str:
    """Line breaks and other control characters folded to spaces: these fields become single
    lines of the shop's e-mail, where a CR/LF would forge a header or a line of its own."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", value).split())


Line = Annotated[str, AfterValidator(_one_line)]


class _Strict(Trimmed):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, data: Any) -> Any:
        """`sessionId` or `session_id`, not both: two values for one field is a mistake to name."""
        if isinstance(data, dict):
            for field in cls.model_fields.values():
                alias = field.validation_alias
                if isinstance(alias, AliasChoices):
                    given = [str(choice) for choice in alias.choices if choice in data]
                    if len(given) > 1:
                        raise ValueError(f"give one of {' or '.join(given)}, not both")
        return data


def _either_case(snake: str) -> AliasChoices:
    """The frontend sends camelCase; snake_case is accepted too."""
    head, *rest = snake.split("_")
    return AliasChoices(head + "".join(part.title() for part in rest), snake)


class CreateSession(_Strict):
    diver_profile: DiverProfile = Field(
        default_factory=DiverProfile, validation_alias=_either_case("diver_profile")
    )


class _Contact(_Strict):
    name: Line = Field(min_length=1, max_length=100)
    email: Email
    phone: Line | None = Field(default=None, max_length=20)
    message: str | None = Field(default=None, max_length=2000)


class TrainingLead(_Contact):
    certification_level: Line | None = Field(default=None, max_length=50)
    interested_certification: Line | None = Field(default=None, max_length=50)
    preferred_location: Line | None = Field(default=None, max_length=100)


class TripLead(_Contact):
    destination: Line | None = Field(default=None, max_length=100)
    travel_dates: Line | None = Field(default=None, max_length=100)
    group_size: JsonInt | None = Field(default=None, ge=1, le=50)
    budget: Line | None = Field(default=None, max_length=50)


LEAD_DATA: dict[str, type[_Contact]] = {"training": TrainingLead, "trip": TripLead}


class CreateLead(_Strict):
    type: Literal["training", "trip"]
    data: dict[str, Any]
    session_id: uuid.UUID | None = Field(default=None, validation_alias=_either_case("session_id"))
    # A form field people never see (hidden by the page); anything in it, a space included, was
    # typed by a bot: it is read untrimmed.
    _untrimmed: ClassVar[frozenset[str]] = frozenset({"website"})
    website: str | None = Field(default=None, max_length=200)


class ChatBody(_Strict):
    # Length is checked after trimming: "  hi  " is a 2-character message.
    message: str = Field(min_length=1, max_length=2000)
    session_id: uuid.UUID | None = Field(default=None, validation_alias=_either_case("session_id"))
    diver_profile: DiverProfile | None = Field(default=None, validation_alias=_either_case("diver_profile"))
    session_state: ConversationState | None = Field(
        default=None, validation_alias=_either_case("session_state")
    )
