"""The offline embedder: WordLlama's static token embeddings, shipped inside its wheel.

No network and no key. It captures meaning beyond shared words (synonyms and related terms sit near
each other), which keyword search alone cannot. WordLlama's own loader looks for its tokenizer in the
wrong folder and then tries a download, so we open the two shipped files directly and hand them to
its inference class.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dovvy.once import once
from dovvy.providers.embeddings import normalize

_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


@once
def _load() -> Any:
    """Load once per process (~0.15 s with the import); later calls return the same model."""
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
    with safe_open(str(root / _WEIGHTS), framework="np", device="cpu") as weights:
        embedding = weights.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, tokenizer)


class OfflineEmbedder:
    model = "wordllama-l2-supercat-256"

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = _load().embed(list(texts), norm=True)
        return [normalize(vector.tolist()) for vector in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
