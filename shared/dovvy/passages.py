"""A passage of an article: what retrieval finds and a model (or the offline composer) reads. Below
both, so the model providers need nothing from the knowledge package."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Passage:
    content_path: str
    title: str
    heading: str
    text: str
    score: float
    # The best cosine similarity of any chunk of the passage's document (None in keyword searches).
    similarity: float | None
    vector_rank: int | None
    keyword_rank: int | None
    metadata: dict[str, Any]
    # Share of the question's term weight (idf) the passage's document holds; terms no chunk holds
    # count in full. None in vector-only searches.
    coverage: float | None = None
