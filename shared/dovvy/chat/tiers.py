"""What the safety check decides: a message's tier, why, and the language to answer in."""

from __future__ import annotations

import dataclasses
from typing import Literal

from dovvy.chat import symptoms
from dovvy.chat.lexicon import ENGLISH

Tier = Literal["emergency", "caution", "normal"]


@dataclasses.dataclass(frozen=True)
class SafetyCheck:
    tier: Tier
    category: symptoms.Category | None
    reason: str
    first_aid: str | None = None  # for envenomation: which first aid the animal needs
    language: str = ENGLISH  # the language (or variant, such as zh-Hant) to answer in

    @property
    def emergency(self) -> bool:
        return self.tier == "emergency"
