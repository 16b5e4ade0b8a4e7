"""Provider clients behind small protocols: embeddings and LLMs. SDKs load inside their own module."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dovvy.config import Secret


@dataclasses.dataclass(frozen=True)
class Connection:
    """How to reach a hosted provider: key, optional base URL (tests, proxies), limits."""

    api_key: Secret
    base_url: str | None = None
    timeout: float = 20.0
    retries: int = 2
