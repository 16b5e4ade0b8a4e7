"""Gemini embeddings through google-genai: 768 dimensions, task types, batches of 100, retries."""

from __future__ import annotations

from collections.abc import Sequence

from dovvy.providers.embeddings import DIMENSIONS, EmbeddingError, normalize
from dovvy.providers.google import GenAIProvider, transport_errors

BATCH = 100


class GeminiEmbedder(GenAIProvider):
    """Document and query embeddings; built as GeminiEmbedder(model, connection)."""

    def _embed(self, texts: Sequence[str], task_type: str) -> list[list[float]]:
        from google.genai import errors, types

        config = types.EmbedContentConfig(task_type=task_type, output_dimensionality=DIMENSIONS)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            try:
                response = self._genai().models.embed_content(model=self.model, contents=batch, config=config)
            except errors.APIError as exc:
                raise EmbeddingError(f"gemini embedding failed: HTTP {exc.code}") from None
            except transport_errors() as exc:  # timeouts and connection errors
                raise EmbeddingError(f"gemini embedding failed: {type(exc).__name__}") from None
            embeddings = response.embeddings or []
            if len(embeddings) != len(batch):
                raise EmbeddingError(f"gemini returned {len(embeddings)} vectors for {len(batch)} texts")
            # Only the full 3072-d output comes normalized; truncated outputs must be normalized here.
            vectors.extend(normalize(e.values or []) for e in embeddings)
        return vectors

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(texts, "RETRIEVAL_DOCUMENT") if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "RETRIEVAL_QUERY")[0]
