"""An inverted index for BM25 ranking in plain PostgreSQL (no extension beyond pgvector).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Per chunk and term, how often the term occurs in the chunk's title, heading and text, with the
chunk's field lengths (terms are the lexemes of PostgreSQL's `english` configuration, as in
`search_tsv`); per embedding model and term, how many chunks contain it; per embedding model, how many
chunks there are and their total field lengths. Ingestion keeps all of it exact in the same
transaction as the chunks (shared/dovvy/db/bm25.py). Fields are kept apart so their weights can be
chosen at query time without re-indexing.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE chunk_terms (
            term text NOT NULL,
            chunk_id bigint NOT NULL,
            in_title smallint NOT NULL,
            in_heading smallint NOT NULL,
            in_text smallint NOT NULL,
            -- The chunk's field lengths ride on each of its postings, so scoring reads postings only.
            title_length smallint NOT NULL,
            heading_length smallint NOT NULL,
            text_length smallint NOT NULL,
            -- Covering: a term's postings are read from the index alone, side by side, as an
            -- inverted index's posting list (once vacuum has marked the pages all-visible).
            PRIMARY KEY (term, chunk_id)
                INCLUDE (in_title, in_heading, in_text, title_length, heading_length, text_length)
        )
        """
    )
    # No foreign key and no second index: a per-row key check and a chunk_id index would each cost
    # about as much as the postings themselves at ingest. A chunk's postings are removed by its own
    # terms (from search_tsv) before the chunk, in the same transaction (shared/dovvy/db/bm25.py).
    op.execute(
        """
        CREATE TABLE term_stats (
            embedding_model text NOT NULL,
            term text NOT NULL,
            chunk_count integer NOT NULL CHECK (chunk_count >= 0),
            PRIMARY KEY (embedding_model, term)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE corpus_stats (
            embedding_model text PRIMARY KEY,
            chunk_count bigint NOT NULL CHECK (chunk_count >= 0),
            title_length bigint NOT NULL,
            heading_length bigint NOT NULL,
            text_length bigint NOT NULL
        )
        """
    )
    # Chunks stored before this revision are indexed now (the statements of
    # shared/dovvy/db/bm25.py's rebuild, written out so this revision stays as it was).
    op.execute(
        """
        INSERT INTO chunk_terms
            (term, chunk_id, in_title, in_heading, in_text, title_length, heading_length, text_length)
        SELECT term, chunk_id, in_title, in_heading, in_text, sum(in_title) OVER chunk,
               sum(in_heading) OVER chunk, sum(in_text) OVER chunk
        FROM (
            SELECT t.lexeme AS term, e.id AS chunk_id,
                   cardinality(array_positions(t.weights, 'A')) AS in_title,
                   cardinality(array_positions(t.weights, 'B')) AS in_heading,
                   cardinality(t.weights) - cardinality(array_positions(t.weights, 'A'))
                       - cardinality(array_positions(t.weights, 'B')) AS in_text
            FROM content_embeddings e, unnest(e.search_tsv) AS t
        ) AS postings
        WINDOW chunk AS (PARTITION BY chunk_id)
        """
    )
    op.execute(
        "INSERT INTO term_stats (embedding_model, term, chunk_count) "
        "SELECT e.embedding_model, t.lexeme, count(*) FROM content_embeddings e, unnest(e.search_tsv) AS t "
        "GROUP BY 1, 2"
    )
    op.execute(
        """
        INSERT INTO corpus_stats (embedding_model, chunk_count, title_length, heading_length, text_length)
        SELECT e.embedding_model, count(DISTINCT e.id), coalesce(sum(ct.in_title), 0),
               coalesce(sum(ct.in_heading), 0), coalesce(sum(ct.in_text), 0)
        FROM content_embeddings e LEFT JOIN chunk_terms ct ON ct.chunk_id = e.id
        GROUP BY e.embedding_model
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS corpus_stats")
    op.execute("DROP TABLE IF EXISTS term_stats")
    op.execute("DROP TABLE IF EXISTS chunk_terms")
