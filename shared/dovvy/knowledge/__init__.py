"""The knowledge base: documents and their validation, chunking, ingestion, retrieval and evaluation."""
