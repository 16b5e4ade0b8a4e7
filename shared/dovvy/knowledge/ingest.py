"""Ingestion: a markdown document in, its chunks and embeddings swapped in atomically.

The CLI, `make run` and the storage-triggered function all call `Ingestor`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from dovvy.db import content as repo
from dovvy.db.pool import Connection, Pool
from dovvy.knowledge.chunking import CHUNKING_VERSION, chunk_document
from dovvy.knowledge.documents import Document, DocumentInvalid, iter_markdown, parse, relative_path
from dovvy.providers.embeddings import Embedder

log = logging.getLogger(__name__)

Outcome = Literal["new", "changed", "unchanged"]
EMBED_BATCH = 100


@dataclasses.dataclass
class IngestStats:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    invalid: int = 0
    chunks_written: int = 0
    embedding_calls: int = 0
    stale_chunks_removed: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.deleted} deleted, {self.invalid} invalid documents; "
            f"{self.chunks_written} chunks written, {self.embedding_calls} embedding calls, "
            f"{self.seconds:.2f} s"
        )


class Ingestor:
    def __init__(self, pool: Pool, embedder: Embedder) -> None:
        self.pool = pool
        self.embedder = embedder
        self.stats = IngestStats()

    def ingest_text(self, path: str, raw: str) -> Outcome:
        """Parse, chunk, embed and store one document. Raises DocumentInvalid for a bad document,
        leaving any previous version in place."""
        document = parse(path, raw)
        fingerprint = hashlib.sha256(f"{CHUNKING_VERSION}:{document.hash}".encode()).hexdigest()
        model = self.embedder.model
        previous_hash, stored = self.pool.run(
            lambda conn: (
                repo.document_hash(conn, path, model),
                repo.stored_embeddings(conn, path, model),
            ),
            transaction=False,
        )
        if previous_hash == fingerprint:
            self.stats.unchanged += 1
            return "unchanged"
        chunks = chunk_document(document)
        missing = [chunk.embed_text for chunk in chunks if chunk.content_hash not in stored]
        # Embedding happens outside any transaction: a slow provider holds no lock or connection.
        if missing:
            vectors = self.embedder.embed_documents(missing)
            self.stats.embedding_calls += math.ceil(len(missing) / EMBED_BATCH)
            fresh = iter(vectors)
            for chunk in chunks:
                if chunk.content_hash not in stored:
                    stored[chunk.content_hash] = next(fresh)
        rows = [
            repo.ChunkRow(
                index=chunk.index,
                text=chunk.text,
                content_hash=chunk.content_hash,
                embedding=stored[chunk.content_hash],
                metadata=_chunk_metadata(document, chunk.heading),
            )
            for chunk in chunks
        ]

        def write(conn: Connection) -> bool:
            repo.lock_document(conn, path)
            if repo.document_hash(conn, path, model) == fingerprint:
                return False  # a concurrent ingest of the same version finished first
            repo.replace_document(
                conn,
                path=path,
                model=model,
                document_hash=fingerprint,
                title=document.title,
                doc_type=document.doc_type,
                metadata=_document_metadata(document),
                chunks=rows,
            )
            return True

        if not self.pool.run(write):
            self.stats.unchanged += 1
            return "unchanged"
        self.stats.chunks_written += len(rows)
        outcome: Outcome = "new" if previous_hash is None else "changed"
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
        log.debug("document ingested", extra={"path": path, "outcome": outcome, "chunks": len(rows)})
        return outcome

    def delete(self, path: str) -> bool:
        removed = self.pool.run(lambda conn: repo.delete_document(conn, path))
        if removed:
            self.stats.deleted += 1
            log.info("document deleted", extra={"path": path})
        return removed

    def ingest_paths(
        self,
        paths: list[Path],
        *,
        prune: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> IngestStats:
        started = time.perf_counter()
        files = iter_markdown(paths)
        seen: set[str] = set()
        for number, (file, root) in enumerate(files, start=1):
            path = relative_path(file, root)
            seen.add(path)
            if progress:
                progress(number, len(files), path)
            try:
                self.ingest_text(path, file.read_text(encoding="utf-8"))
            except DocumentInvalid as exc:
                self.stats.invalid += 1
                for problem in exc.problems:
                    log.error("invalid document", extra={"problem": str(problem)})
        if prune:
            model = self.embedder.model
            known = self.pool.run(lambda conn: repo.document_paths(conn, model), transaction=False)
            for path in known:
                if path not in seen:
                    self.delete(path)
            # Rows from an embedding model no longer in use are never searched: drop them too.
            self.stats.stale_chunks_removed = self.pool.run(
                lambda conn: repo.remove_other_models(conn, model)
            )
        self.stats.seconds = time.perf_counter() - started
        return self.stats


def _document_metadata(document: Document) -> dict[str, object]:
    return {
        "title": document.title,
        "description": document.description,
        "doc_type": document.doc_type,
        "tags": list(document.tags),
        **{key: value for key, value in document.metadata.items() if _json_safe(value)},
    }


def _chunk_metadata(document: Document, heading: str) -> dict[str, object]:
    return {**_document_metadata(document), "heading": heading}


def _json_safe(value: object) -> bool:
    return isinstance(value, str | int | float | bool | list | dict) or value is None


def terminal_progress(number: int, total: int, path: str) -> None:
    """A one-line progress bar on a terminal; nothing when output is piped or logged."""
    if not sys.stderr.isatty():
        return
    width = 24
    filled = int(width * number / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {number}/{total} {path[:50]:<50}")
    if number == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
