"""Embedding providers: the offline default for real, Gemini through google-genai against a fake server."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from dovvy.config import Secret, Settings
from dovvy.providers import Connection
from dovvy.providers.embeddings import DIMENSIONS, EmbeddingError, QueryCache, create_embedder
from dovvy.providers.embeddings.gemini import GeminiEmbedder
from dovvy.providers.embeddings.offline import OfflineEmbedder
from tests.fake_provider import FakeProvider, fake_provider


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_offline_vectors_are_unit_length_768d_and_deterministic() -> None:
    embedder = OfflineEmbedder()
    first, second = embedder.embed_documents(["Equalize your ears early.", "Equalize your ears early."])
    assert len(first) == DIMENSIONS
    assert math.isclose(math.sqrt(sum(v * v for v in first)), 1.0, rel_tol=1e-6)
    assert first == second


def test_offline_embeddings_capture_meaning_beyond_shared_words() -> None:
    embedder = OfflineEmbedder()
    query = embedder.embed_query("how long until I can take a plane")
    related = embedder.embed_documents(["wait before flying on an aircraft after scuba"])[0]
    unrelated = embedder.embed_documents(["colourful parrotfish sleep on the coral reef"])[0]
    assert cosine(query, related) > cosine(query, unrelated) + 0.1


def test_query_cache_skips_the_provider_for_repeats() -> None:
    cache = QueryCache(OfflineEmbedder())
    cache.embed_query("Nitrox depth limits")
    cache.embed_query("  nitrox   DEPTH limits ")
    assert (cache.hits, cache.misses) == (1, 1)


def test_factory_picks_offline_without_a_key_and_gemini_with_one() -> None:
    assert isinstance(create_embedder(Settings()), OfflineEmbedder)
    assert isinstance(create_embedder(Settings(gemini_api_key=Secret("k"))), GeminiEmbedder)
    offline = Settings(gemini_api_key=Secret("k"), embedding_provider="offline")
    assert isinstance(create_embedder(offline), OfflineEmbedder)


def _embeddings_for(body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    # Unnormalized on purpose: truncated Gemini outputs are not unit length.
    return 200, {"embeddings": [{"values": [3.0, 4.0] + [0.0] * 766} for _ in body["requests"]]}, {}


@pytest.fixture
def gemini() -> Iterator[FakeProvider]:
    with fake_provider() as server:
        server.respond(":batchEmbedContents", _embeddings_for)
        yield server


def embedder_for(server: FakeProvider, retries: int = 2) -> GeminiEmbedder:
    return GeminiEmbedder("gemini-embedding-001", Connection(Secret("test-key"), server.base_url, 5, retries))


def test_gemini_documents_use_retrieval_document_and_768_dimensions(gemini: FakeProvider) -> None:
    vectors = embedder_for(gemini).embed_documents(["a", "b"])
    [request] = gemini.hits(":batchEmbedContents")
    assert request.path.endswith("/models/gemini-embedding-001:batchEmbedContents")
    assert request.headers["x-goog-api-key"] == "test-key"
    first = request.body["requests"][0]
    assert first["taskType"] == "RETRIEVAL_DOCUMENT"
    assert first["outputDimensionality"] == 768
    assert first["content"]["parts"][0]["text"] == "a"
    assert vectors[0][:2] == pytest.approx([0.6, 0.8])  # normalized here


def test_gemini_queries_use_retrieval_query(gemini: FakeProvider) -> None:
    embedder_for(gemini).embed_query("what is nitrox")
    assert gemini.hits(":batchEmbedContents")[0].body["requests"][0]["taskType"] == "RETRIEVAL_QUERY"


def test_gemini_batches_at_most_100_texts(gemini: FakeProvider) -> None:
    vectors = embedder_for(gemini).embed_documents([f"text {i}" for i in range(250)])
    assert len(vectors) == 250
    assert [len(r.body["requests"]) for r in gemini.hits(":batchEmbedContents")] == [100, 100, 50]


def test_gemini_retries_429_then_succeeds(gemini: FakeProvider) -> None:
    gemini.queue(
        ":batchEmbedContents",
        429,
        {"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}},
    )
    vectors = embedder_for(gemini).embed_documents(["a"])
    assert len(vectors) == 1
    assert len(gemini.hits(":batchEmbedContents")) == 2


def test_gemini_persistent_500_is_an_embedding_error(gemini: FakeProvider) -> None:
    for _ in range(3):
        gemini.queue(
            ":batchEmbedContents", 500, {"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}
        )
    with pytest.raises(EmbeddingError, match="HTTP 500"):
        embedder_for(gemini, retries=2).embed_documents(["a"])
    assert len(gemini.hits(":batchEmbedContents")) == 3
