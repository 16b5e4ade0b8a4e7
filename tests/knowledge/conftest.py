"""Fixtures for the knowledge base: a counting embedder and clean content tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from dovvy.db.pool import Pool
from dovvy.db.url import parse_database_url
from dovvy.knowledge.ingest import Ingestor
from dovvy.providers.embeddings import EmbeddingError
from dovvy.providers.embeddings.offline import OfflineEmbedder


class CountingEmbedder(OfflineEmbedder):
    """The real offline embedder, counting what it is asked; can be told to fail."""

    def __init__(self, model: str = "wordllama-l2-supercat-256") -> None:
        self.model = model
        self.document_calls: list[int] = []
        self.fail = False

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if self.fail:
            raise EmbeddingError("provider down")
        self.document_calls.append(len(texts))
        return super().embed_documents(texts)


@pytest.fixture
def content_pool(database_url: str) -> Iterator[Pool]:
    pool = Pool(parse_database_url(database_url), max_size=4)
    pool.run(
        lambda conn: conn.run(
            "TRUNCATE content_embeddings, content_documents, chunk_terms, term_stats, corpus_stats"
        ),
        transaction=False,
    )
    yield pool
    pool.close()


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def ingestor(content_pool: Pool, embedder: CountingEmbedder) -> Ingestor:
    return Ingestor(content_pool, embedder)
