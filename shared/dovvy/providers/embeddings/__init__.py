"""Embedding providers: one Protocol, an offline default and Gemini, picked by one factory."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dovvy.config import Settings

DIMENSIONS = 768


class EmbeddingError(Exception):
    """The provider could not embed (after its retries); the message is safe to log."""


class Embedder(Protocol):
    model: str

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def normalize(vector: Sequence[float], dimensions: int = DIMENSIONS) -> list[float]:
    """Unit length, zero-padded to `dimensions` (padding leaves cosine similarity unchanged)."""
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    values = [float(v) / norm for v in vector]
    if len(values) > dimensions:
        raise EmbeddingError(f"vector has {len(values)} dimensions, more than {dimensions}")
    return values + [0.0] * (dimensions - len(values))


class QueryCache:
    """Query embeddings kept per container: repeated and popular questions skip the provider."""

    def __init__(self, embedder: Embedder, max_size: int = 1024) -> None:
        self.embedder = embedder
        self.model = embedder.model
        self._max = max_size
        self._items: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        key = " ".join(text.split()).lower()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        vector = self.embedder.embed_query(text)
        with self._lock:
            self.misses += 1
            self._items[key] = vector
            if len(self._items) > self._max:
                self._items.popitem(last=False)
        return vector


def chosen_provider(settings: Settings) -> str:
    """`gemini` or `offline`: what EMBEDDING_PROVIDER (`auto` by default) resolves to."""
    if settings.embedding_provider == "auto":
        return "gemini" if settings.gemini_api_key else "offline"
    return settings.embedding_provider


def create_embedder(settings: Settings) -> Embedder:
    if chosen_provider(settings) == "gemini":
        from dovvy.providers import Connection
        from dovvy.providers.embeddings.gemini import GeminiEmbedder

        assert settings.gemini_api_key is not None
        return GeminiEmbedder(
            settings.gemini_embedding_model,
            Connection(
                settings.gemini_api_key, settings.gemini_base_url, 30.0, settings.provider_max_retries
            ),
        )
    from dovvy.providers.embeddings.offline import OfflineEmbedder

    return OfflineEmbedder()
