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
from dovvy.db import destinations as places_repo
from dovvy.db.pool import Connection, Pool
from dovvy.knowledge.chunking import CHUNKING_VERSION, chunk_document
from dovvy.knowledge.documents import Document, DocumentInvalid, Problem, read
from dovvy.knowledge.files import Listing, find_markdown, read_text
from dovvy.knowledge.frontmatter import READING_VERSION
from dovvy.knowledge.places import Places, places_of
from dovvy.providers.embeddings import Embedder

log = logging.getLogger(__name__)

IngestResult = Literal["new", "changed", "unchanged", "duplicate"]
EMBED_BATCH = 100


class PruneRefused(Exception):
    """Pruning would empty the knowledge base (nothing was found where something was expected);
    the message says what would have been deleted."""


@dataclasses.dataclass
class IngestStats:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicate: int = 0
    deleted: int = 0
    invalid: int = 0
    chunks_written: int = 0
    embedding_calls: int = 0
    stale_chunks_removed: int = 0
    seconds: float = 0.0
    problems: list[Problem] = dataclasses.field(default_factory=list)  # documents left out
    warnings: list[Problem] = dataclasses.field(default_factory=list)  # documents kept, with a guess

    def summary(self) -> str:
        duplicate = f"{self.duplicate} already stored elsewhere, " if self.duplicate else ""
        return (
            f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged, {duplicate}"
            f"{self.deleted} deleted, {self.invalid} invalid documents; "
            f"{self.chunks_written} chunks written, {self.embedding_calls} embedding calls, "
            f"{self.seconds:.2f} s"
        )


_ALREADY_STORED = (
    "already stored as '{twin}'; ingest from the knowledge base's root "
    "(DOVVY_CONTENT_DIR or --root) so each article keeps one identity"
)


def _write(
    conn: Connection,
    path: str,
    *,
    model: str,
    fingerprint: str,
    document: Document,
    rows: list[repo.ChunkRow],
    places: Places,
) -> bool:
    """The document, its chunks and its places in one transaction; False when a concurrent ingest
    of the same version finished first."""
    repo.lock_document(conn, path)
    if repo.document_hash(conn, path, model) == fingerprint:
        return False
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
    _store_places(conn, path, places)
    return True


class Ingestor:
    def __init__(self, pool: Pool, embedder: Embedder) -> None:
        self.pool = pool
        self.embedder = embedder
        self.stats = IngestStats()

    def ingest_text(self, path: str, raw: str, *, shown: str | None = None) -> IngestResult:
        """Parse, chunk, embed and store one document. Raises DocumentInvalid for an unusable
        document, leaving any previous version in place; what was guessed goes to the warnings.
        `shown` is how problems name the file (its path on disk), `path` its identity."""
        shown = shown or path
        document = self._read(path, raw, shown)
        fingerprint = hashlib.sha256(
            f"{CHUNKING_VERSION}.{READING_VERSION}:{document.hash}".encode()
        ).hexdigest()
        model = self.embedder.model
        previous_hash, stored, same = self.pool.run(
            lambda conn: (
                repo.document_hash(conn, path, model),
                repo.stored_embeddings(conn, path, model),
                repo.paths_with_hash(conn, model, fingerprint),
            ),
            transaction=False,
        )
        if previous_hash == fingerprint:
            self.stats.unchanged += 1
            return "unchanged"
        twin = next((p for p in same if p.endswith("/" + path) or path.endswith("/" + p)), None)
        if previous_hash is None and twin is not None:
            # The same article under a path that differs only by its leading folders: the folder
            # passed this time was not the one it was first ingested from.
            self.stats.duplicate += 1
            self.stats.warnings.append(Problem(shown, 1, _ALREADY_STORED.format(twin=twin)))
            return "duplicate"
        places = places_of(document)
        self.stats.warnings.extend(Problem(shown, 1, note) for note in places.notes)
        rows = self._rows(document, stored)
        if not self.pool.run(
            lambda conn: _write(
                conn, path, model=model, fingerprint=fingerprint, document=document, rows=rows, places=places
            )
        ):
            self.stats.unchanged += 1
            return "unchanged"
        self.stats.chunks_written += len(rows)
        outcome: IngestResult = "new" if previous_hash is None else "changed"
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
        log.debug("document ingested", extra={"path": path, "outcome": outcome, "chunks": len(rows)})
        return outcome

    def _read(self, path: str, raw: str, shown: str) -> Document:
        try:
            reading = read(path, raw)
        except DocumentInvalid as exc:
            raise DocumentInvalid([dataclasses.replace(p, path=shown) for p in exc.problems]) from None
        self.stats.warnings.extend(dataclasses.replace(w, path=shown) for w in reading.warnings)
        return reading.document

    def _rows(self, document: Document, stored: dict[str, list[float]]) -> list[repo.ChunkRow]:
        """The document's chunks with their embeddings: those stored already are reused, the rest
        embedded outside any transaction (a slow provider holds no lock or connection)."""
        chunks = chunk_document(document)
        missing = [chunk.embed_text for chunk in chunks if chunk.content_hash not in stored]
        if missing:
            vectors = self.embedder.embed_documents(missing)
            self.stats.embedding_calls += math.ceil(len(missing) / EMBED_BATCH)
            fresh = iter(vectors)
            for chunk in chunks:
                if chunk.content_hash not in stored:
                    stored[chunk.content_hash] = next(fresh)
        return [
            repo.ChunkRow(
                index=chunk.index,
                text=chunk.text,
                content_hash=chunk.content_hash,
                embedding=stored[chunk.content_hash],
                metadata=_chunk_metadata(document, chunk.heading),
            )
            for chunk in chunks
        ]

    def delete(self, path: str) -> bool:
        def remove(conn: Connection) -> bool:
            places_repo.remove_article_places(conn, path)
            return repo.delete_document(conn, path)

        removed = self.pool.run(remove)
        if removed:
            self.stats.deleted += 1
            log.info("document deleted", extra={"path": path})
        return removed

    def ingest_paths(
        self,
        paths: list[Path],
        *,
        root: Path | None = None,
        prune: bool = False,
        prune_more_than_kept: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> IngestStats:
        """Ingest every markdown file under `paths`; one bad file is reported and skipped, never
        stops the rest. `prune` removes stored documents under the same folders that are gone,
        but refuses (PruneRefused) when nothing at all was found there, or, unless
        `prune_more_than_kept`, when it would delete more documents than the folders hold."""
        started = time.perf_counter()
        listing = find_markdown(paths, root=root)
        self.stats.problems.extend(listing.problems)
        self.stats.invalid += len(listing.problems)
        for number, found in enumerate(listing.found, start=1):
            if progress:
                progress(number, len(listing.found), found.path)
            try:
                self.ingest_text(found.path, read_text(found.file), shown=found.file.as_posix())
            except DocumentInvalid as exc:
                self.stats.invalid += 1
                self.stats.problems.extend(exc.problems)
                # The caller reports them (the CLI prints each with its file and line).
                for problem in exc.problems:
                    log.info("document left out", extra={"problem": str(problem)})
        if prune:
            self._prune(listing, more_than_kept=prune_more_than_kept)
        self.stats.seconds = time.perf_counter() - started
        return self.stats

    def _prune(self, listing: Listing, *, more_than_kept: bool = False) -> None:
        model = self.embedder.model
        known = self.pool.run(lambda conn: repo.document_paths(conn, model), transaction=False)
        present = {found.path for found in listing.found}
        doomed = [path for path in known if listing.covers(path) and path not in present]
        if doomed and not present:
            shown = ", ".join(doomed[:5]) + (f" and {len(doomed) - 5} more" if len(doomed) > 5 else "")
            raise PruneRefused(
                f"no markdown found there, so pruning would delete all {len(doomed)} documents "
                f"({shown}); nothing was deleted. Point at the folder that holds the articles."
            )
        if len(doomed) > len(present) and not more_than_kept:
            # A folder outside content/ names its articles from itself, so every stored article
            # looks gone from it: deleting more than the folder holds is a mistake until said not.
            shown = ", ".join(doomed[:5]) + (f" and {len(doomed) - 5} more" if len(doomed) > 5 else "")
            raise PruneRefused(
                f"pruning would delete {len(doomed)} documents ({shown}) and keep {len(present)}; "
                "nothing was deleted. Check that the folder is the one that holds the articles, "
                "or pass --yes to delete them."
            )
        for path in doomed:
            self.delete(path)
        # Rows from an embedding model no longer in use are never searched: drop them too.
        self.stats.stale_chunks_removed = self.pool.run(lambda conn: repo.remove_other_models(conn, model))


def _store_places(conn: Connection, path: str, places: Places) -> None:
    """The destination and site the article describes, replacing what its previous version added."""
    places_repo.remove_article_places(conn, path, keep_site=places.site.code if places.site else None)
    if places.destination is not None:
        places_repo.ensure_destination(conn, places.destination, source_path=path)
    if places.site is not None:
        places_repo.upsert_article_site(conn, places.site, source_path=path)


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
