"""Provider clients behind small protocols: embeddings and LLMs. SDKs load inside their own module."""
