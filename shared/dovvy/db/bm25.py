"""The BM25 index's upkeep: chunk terms, per-term chunk counts and corpus totals, kept exact.

Terms are the lexemes PostgreSQL's `english` configuration gives `search_tsv` (title weighted A,
heading B, text C), so chunks and queries are tokenised, stemmed and stop-worded by the same rules.
Postings are keyed by the term's 64-bit `hashtextextended` (migration 0009: cheaper to insert and
compare than text); `term_stats` keeps the text.
Every change runs in the caller's transaction, next to the chunks it describes; the shared counts
change under one advisory lock: ingests of different documents touch the same term rows, and taking
them in turn cannot deadlock (a chunk's postings are its own and need no lock). `rebuild`
recomputes everything from the chunks (migrations, and the exactness test).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dovvy.db.pool import Connection

# How a term keys its postings (migration 0009): the index and the search's query terms alike.
TERM_HASH = "hashtextextended({}, 0)"

_STATS_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('dovvy:bm25-stats', 0))"

# {chunks}: a condition on content_embeddings aliased `e` choosing the chunks to (un)index.
# A lexeme's positions carry their weights: A title, B heading, C text. Each posting also carries
# its chunk's field lengths (summed over the chunk's postings), so scoring joins nothing else.
# Inserted in the primary key's order: a bulk load then walks the index's pages once, in order,
# instead of jumping between them (measured: the postings' insert 30% faster at 50k chunks).
_INDEX = (
    """
INSERT INTO chunk_terms
    (term_hash, chunk_id, in_title, in_heading, in_text, title_length, heading_length, text_length)
SELECT term_hash, chunk_id, in_title, in_heading, in_text, sum(in_title) OVER chunk,
       sum(in_heading) OVER chunk, sum(in_text) OVER chunk
FROM (
    SELECT """
    + TERM_HASH.format("t.lexeme")
    + """ AS term_hash, e.id AS chunk_id,
           cardinality(array_positions(t.weights, 'A')) AS in_title,
           cardinality(array_positions(t.weights, 'B')) AS in_heading,
           cardinality(t.weights) - cardinality(array_positions(t.weights, 'A'))
               - cardinality(array_positions(t.weights, 'B')) AS in_text
    FROM content_embeddings e, unnest(e.search_tsv) AS t
    WHERE {chunks}
) AS postings
WINDOW chunk AS (PARTITION BY chunk_id)
ORDER BY term_hash, chunk_id
"""
)

# The chunks' postings, found through the chunks' own terms (the primary key): no chunk_id index.
_DROP_POSTINGS = (
    """
DELETE FROM chunk_terms ct
USING content_embeddings e, unnest(e.search_tsv) AS t
WHERE {chunks} AND ct.term_hash = """
    + TERM_HASH.format("t.lexeme")
    + """ AND ct.chunk_id = e.id
"""
)

# The chunks' lexemes, one row per chunk and lexeme; a chunk without any still gives one row (NULL
# lexeme), so it counts as a chunk.
_LEXEMES = """
SELECT e.embedding_model, e.id, t.lexeme, t.weights
FROM content_embeddings e LEFT JOIN LATERAL unnest(e.search_tsv) AS t ON true
WHERE {chunks}
"""

# Chunks containing each term.
_TERM_COUNTS = """
SELECT embedding_model, lexeme AS term, count(*) AS n FROM {lexemes} AS l
WHERE lexeme IS NOT NULL GROUP BY embedding_model, lexeme
"""

# Chunk count and field lengths, per model, from the chunks' own lexemes: reading the postings back
# would mean scanning them by chunk, which no index serves.
_CORPUS_PART = """
SELECT embedding_model, count(DISTINCT id) AS chunks,
       coalesce(sum(cardinality(array_positions(weights, 'A'))), 0) AS title,
       coalesce(sum(cardinality(array_positions(weights, 'B'))), 0) AS heading,
       coalesce(sum(cardinality(weights) - cardinality(array_positions(weights, 'A'))
                    - cardinality(array_positions(weights, 'B'))), 0) AS text
FROM {lexemes} AS l GROUP BY embedding_model
"""

# Adding: both counts from one pass over the chunks' lexemes.
_ADD_STATISTICS = (
    "WITH lexemes AS MATERIALIZED ("
    + _LEXEMES
    + "), terms AS (INSERT INTO term_stats (embedding_model, term, chunk_count) "
    + _TERM_COUNTS.format(lexemes="lexemes")
    + """ORDER BY 1, 2
ON CONFLICT (embedding_model, term) DO UPDATE SET chunk_count = term_stats.chunk_count + EXCLUDED.chunk_count
)
INSERT INTO corpus_stats (embedding_model, chunk_count, title_length, heading_length, text_length) """
    + _CORPUS_PART.format(lexemes="lexemes")
    + """ON CONFLICT (embedding_model) DO UPDATE SET
    chunk_count = corpus_stats.chunk_count + EXCLUDED.chunk_count,
    title_length = corpus_stats.title_length + EXCLUDED.title_length,
    heading_length = corpus_stats.heading_length + EXCLUDED.heading_length,
    text_length = corpus_stats.text_length + EXCLUDED.text_length
"""
)

_REMOVE_TERMS = (
    "UPDATE term_stats s SET chunk_count = s.chunk_count - d.n FROM ("
    + _TERM_COUNTS.format(lexemes="(" + _LEXEMES + ")")
    + ") AS d WHERE s.embedding_model = d.embedding_model AND s.term = d.term"
)

# An UPDATE, not an upsert: PostgreSQL checks a proposed row's constraints before the conflict.
_REMOVE_CORPUS = (
    "UPDATE corpus_stats s SET chunk_count = s.chunk_count - d.chunks, "
    "title_length = s.title_length - d.title, heading_length = s.heading_length - d.heading, "
    "text_length = s.text_length - d.text FROM ("
    + _CORPUS_PART.format(lexemes="(" + _LEXEMES + ")")
    + ") AS d WHERE s.embedding_model = d.embedding_model"
)

_DOCUMENT = "e.content_path = :path AND e.embedding_model = :model"
_DOCUMENT_ANY_MODEL = "e.content_path = :path"


def index_document(conn: Connection, path: str, model: str) -> None:
    """Index a document's freshly stored chunks and add them to the statistics."""
    _change(conn, _DOCUMENT, {"path": path, "model": model}, adding=True)


def index_chunks(conn: Connection, ids: Sequence[int]) -> None:
    """Index the chunks with these ids (a bulk load: the benchmark's batches)."""
    _change(conn, "e.id = ANY(CAST(:ids AS bigint[]))", {"ids": list(ids)}, adding=True)


def unindex_document(conn: Connection, path: str, model: str | None = None) -> None:
    """Take a document's chunks out of the index and the statistics (under one model, or all); call
    before deleting the chunks."""
    chunks, params = (
        (_DOCUMENT, {"path": path, "model": model}) if model else (_DOCUMENT_ANY_MODEL, {"path": path})
    )
    _change(conn, chunks, params, adding=False)


def _change(conn: Connection, chunks: str, params: dict[str, Any], *, adding: bool) -> None:
    if adding:
        # A chunk's postings are its own: only the shared counts need the lock.
        conn.run(_INDEX.format(chunks=chunks), **params)
        conn.run(_STATS_LOCK)
        conn.run(_ADD_STATISTICS.format(chunks=chunks), **params)
    else:
        conn.run(_STATS_LOCK)
        conn.run(_REMOVE_TERMS.format(chunks=chunks), **params)
        conn.run(_REMOVE_CORPUS.format(chunks=chunks), **params)
        conn.run(_DROP_POSTINGS.format(chunks=chunks), **params)
        conn.run("DELETE FROM term_stats WHERE chunk_count = 0")


def remove_models_except(conn: Connection, model: str) -> None:
    conn.run(_STATS_LOCK)
    conn.run(_DROP_POSTINGS.format(chunks="e.embedding_model <> :model"), model=model)
    conn.run("DELETE FROM term_stats WHERE embedding_model <> :model", model=model)
    conn.run("DELETE FROM corpus_stats WHERE embedding_model <> :model", model=model)


def rebuild(conn: Connection) -> None:
    """Recompute the whole index from the stored chunks."""
    conn.run(_STATS_LOCK)
    conn.run("DELETE FROM chunk_terms")
    conn.run("DELETE FROM term_stats")
    conn.run("DELETE FROM corpus_stats")
    conn.run(_INDEX.format(chunks="true"))
    conn.run(_ADD_STATISTICS.format(chunks="true"))
    conn.run("DELETE FROM corpus_stats WHERE chunk_count = 0")


def statistics(conn: Connection) -> dict[str, Any]:
    """Everything BM25 reads, in a comparable form (the exactness test compares two of these)."""
    terms = conn.run("SELECT embedding_model, term, chunk_count FROM term_stats ORDER BY 1, 2")
    corpus = conn.run("SELECT * FROM corpus_stats WHERE chunk_count > 0 ORDER BY 1")
    postings = conn.run(
        "SELECT e.embedding_model, e.content_path, e.chunk_index, ct.term_hash, in_title, in_heading, "
        "in_text, ct.title_length, ct.heading_length, ct.text_length "
        "FROM chunk_terms ct LEFT JOIN content_embeddings e ON e.id = ct.chunk_id ORDER BY 1, 2, 3, 4"
    )
    return {
        "terms": [tuple(r) for r in terms],
        "corpus": [tuple(r) for r in corpus],
        "postings": [tuple(r) for r in postings],
    }
