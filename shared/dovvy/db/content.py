"""The content repository: documents, their chunks and embeddings, and hybrid search over them."""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from dovvy.db import binary_copy, bm25
from dovvy.db.pool import Connection

_COPY_COLUMNS = "content_path, chunk_index, chunk_text, content_hash, embedding_model, embedding, metadata"


@dataclasses.dataclass(frozen=True)
class ChunkRow:
    index: int
    text: str
    content_hash: str
    embedding: Sequence[float]
    metadata: dict[str, Any]


def lock_document(conn: Connection, path: str) -> None:
    """Serialize writers of one document until the transaction ends (two ingests, one result)."""
    conn.run("SELECT pg_advisory_xact_lock(hashtextextended(:path, 0))", path=path)


def document_hash(conn: Connection, path: str, model: str) -> str | None:
    rows = conn.run(
        "SELECT document_hash FROM content_documents WHERE content_path = :path AND embedding_model = :model",
        path=path,
        model=model,
    )
    return rows[0][0] if rows else None


def stored_embeddings(conn: Connection, path: str, model: str) -> dict[str, list[float]]:
    """Embeddings already stored for this document, by chunk content hash, for reuse."""
    rows = conn.run(
        "SELECT content_hash, embedding FROM content_embeddings "
        "WHERE content_path = :path AND embedding_model = :model",
        path=path,
        model=model,
    )
    return {content_hash: vector.to_list() for content_hash, vector in rows}


def _copy_chunks(conn: Connection, path: str, model: str, chunks: Sequence[ChunkRow]) -> None:
    """The chunks in one binary COPY (a fraction of the time of INSERTs, vectors included)."""
    stream = binary_copy.encode_rows(
        (
            binary_copy.text(path),
            binary_copy.int4(chunk.index),
            binary_copy.text(chunk.text),
            binary_copy.text(chunk.content_hash),
            binary_copy.text(model),
            binary_copy.vector(chunk.embedding),
            binary_copy.jsonb(chunk.metadata),
        )
        for chunk in chunks
    )
    conn.run(f"COPY content_embeddings ({_COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)", stream=stream)


def replace_document(
    conn: Connection,
    *,
    path: str,
    model: str,
    document_hash: str,
    title: str,
    doc_type: str,
    metadata: dict[str, Any],
    chunks: Sequence[ChunkRow],
) -> None:
    """Swap in a document's chunks, and their BM25 index entries; call inside a transaction holding
    `lock_document`."""
    bm25.unindex_document(conn, path, model)
    conn.run(
        "DELETE FROM content_embeddings WHERE content_path = :path AND embedding_model = :model",
        path=path,
        model=model,
    )
    if chunks:
        _copy_chunks(conn, path, model, chunks)
        bm25.index_document(conn, path, model)
    conn.run(
        """
        INSERT INTO content_documents
            (content_path, embedding_model, document_hash, title, doc_type, chunk_count, metadata)
        VALUES (:path, :model, :hash, :title, :doc_type, :count, CAST(:metadata AS jsonb))
        ON CONFLICT (content_path, embedding_model) DO UPDATE SET
            document_hash = EXCLUDED.document_hash, title = EXCLUDED.title,
            doc_type = EXCLUDED.doc_type, chunk_count = EXCLUDED.chunk_count,
            metadata = EXCLUDED.metadata, updated_at = now()
        """,
        path=path,
        model=model,
        hash=document_hash,
        title=title,
        doc_type=doc_type,
        count=len(chunks),
        metadata=json.dumps(metadata),
    )


def delete_document(conn: Connection, path: str) -> bool:
    """Remove a document under every embedding model. Returns whether anything was there."""
    lock_document(conn, path)
    bm25.unindex_document(conn, path)
    removed = conn.run("DELETE FROM content_documents WHERE content_path = :path RETURNING 1", path=path)
    conn.run("DELETE FROM content_embeddings WHERE content_path = :path", path=path)
    return bool(removed)


def document_paths(conn: Connection, model: str) -> list[str]:
    rows = conn.run(
        "SELECT content_path FROM content_documents WHERE embedding_model = :model ORDER BY 1", model=model
    )
    return [row[0] for row in rows]


def paths_with_hash(conn: Connection, model: str, document_hash: str) -> list[str]:
    rows = conn.run(
        "SELECT content_path FROM content_documents WHERE embedding_model = :model AND document_hash = :hash",
        model=model,
        hash=document_hash,
    )
    return [row[0] for row in rows]


def documents_per_model(conn: Connection) -> dict[str, int]:
    rows = conn.run("SELECT embedding_model, count(*) FROM content_documents GROUP BY 1")
    return {str(model): int(count) for model, count in rows}


def destination_codes(conn: Connection, model: str) -> list[str]:
    """Destinations the stored documents are about."""
    rows = conn.run(
        "SELECT DISTINCT metadata ->> 'destination' FROM content_documents "
        "WHERE embedding_model = :model AND metadata ? 'destination' ORDER BY 1",
        model=model,
    )
    return [row[0] for row in rows if row[0]]


def remove_other_models(conn: Connection, model: str) -> int:
    """Drop rows embedded by models other than the active one (after a provider switch)."""
    bm25.remove_models_except(conn, model)
    conn.run("DELETE FROM content_documents WHERE embedding_model <> :model", model=model)
    rows = conn.run("DELETE FROM content_embeddings WHERE embedding_model <> :model RETURNING 1", model=model)
    return len(rows)


# The accented Latin letters the articles and divers write, and their plain forms (by Unicode).
_ACCENTED = "àáâãäåāçćčèéêëēěìíîïīñńòóôõöøōùúûüūýÿšžł"


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ł", "l"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mentions(conn: Connection, name: str) -> bool:
    """Whether any chunk's text or its article's title holds `name` as whole words, in any case and
    with or without accents (its words may be apart by any spaces or a hyphen: "Sharm el-Sheikh";
    "cancun" is "Cancún")."""
    words = _unaccented(name.lower()).split()
    pattern = r"\m" + r"[\s-]+".join(re.escape(word) for word in words) + r"\M"
    rows = conn.run(
        "SELECT EXISTS (SELECT 1 FROM content_embeddings WHERE "
        "translate(lower(chunk_text), :accented, :plain) ~ :pattern "
        "OR translate(lower(metadata ->> 'title'), :accented, :plain) ~ :pattern)",
        pattern=pattern,
        accented=_ACCENTED,
        plain=_unaccented(_ACCENTED),
    )
    return bool(rows[0][0])


def document_chunks(
    conn: Connection, paths: Sequence[str], model: str
) -> list[tuple[str, int, str, dict[str, Any]]]:
    """Every chunk of these documents, in reading order: (path, index, text, metadata)."""
    rows = conn.run(
        "SELECT content_path, chunk_index, chunk_text, metadata FROM content_embeddings "
        "WHERE content_path = ANY(CAST(:paths AS text[])) AND embedding_model = :model "
        "ORDER BY content_path, chunk_index",
        paths=list(paths),
        model=model,
    )
    return [(path, index, text, metadata) for path, index, text, metadata in rows]
