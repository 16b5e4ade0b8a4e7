"""The fixed rule that splits every eval set into dev (tune on it) and test (only measure it).

A case belongs to a split by a hash of its id, so adding cases never moves old ones, and nobody
chooses which cases land in test. The rule was committed before any rule or parameter was tuned.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Split = Literal["dev", "test"]
SPLITS: tuple[Split, ...] = ("dev", "test")


def split_of(case_id: str) -> Split:
    return "dev" if hashlib.sha256(case_id.encode()).digest()[0] < 128 else "test"
