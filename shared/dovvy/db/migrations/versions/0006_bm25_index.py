"""An inverted index for BM25 ranking in plain PostgreSQL (no extension beyond pgvector).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Per chunk and term, how often the term occurs in the chunk's title, heading and text (terms are
the lexemes of PostgreSQL's `english` configuration, as in `search_tsv`); per chunk, the length of
each field; per embedding model and term, how many chunks contain it; per embedding model, how many
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
    # Lengths live beside the chunks, not in them: writing them into content_embeddings would
    # rewrite every chunk row (and its vector) once more at ingest.
    op.execute(
        """
        CREATE TABLE chunk_lengths (
            chunk_id bigint PRIMARY KEY REFERENCES content_embeddings (id) ON DELETE CASCADE,
            embedding_model text NOT NULL,
            title_length integer NOT NULL,
            heading_length integer NOT NULL,
            text_length integer NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE chunk_terms (
            embedding_model text NOT NULL,
            term text NOT NULL,
            chunk_id bigint NOT NULL REFERENCES content_embeddings (id) ON DELETE CASCADE,
            in_title smallint NOT NULL,
            in_heading smallint NOT NULL,
            in_text smallint NOT NULL,
            PRIMARY KEY (embedding_model, term, chunk_id)
        )
        """
    )
    op.execute("CREATE INDEX chunk_terms_chunk_idx ON chunk_terms (chunk_id)")
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
    # Chunks stored before this revision are indexed now (the same statements as
    # shared/dovvy/db/bm25.py's rebuild, written out so this revision stays as it was).
    op.execute(
        """
        INSERT INTO chunk_terms (embedding_model, term, chunk_id, in_title, in_heading, in_text)
        SELECT e.embedding_model, t.lexeme, e.id, count(*) FILTER (WHERE w = 'A'),
               count(*) FILTER (WHERE w = 'B'), count(*) FILTER (WHERE w IN ('C', 'D'))
        FROM content_embeddings e, unnest(e.search_tsv) AS t, unnest(t.weights) AS w
        GROUP BY e.embedding_model, t.lexeme, e.id
        """
    )
    op.execute(
        """
        INSERT INTO chunk_lengths (chunk_id, embedding_model, title_length, heading_length, text_length)
        SELECT chunk_id, embedding_model, sum(in_title), sum(in_heading), sum(in_text)
        FROM chunk_terms GROUP BY chunk_id, embedding_model
        """
    )
    op.execute(
        "INSERT INTO term_stats (embedding_model, term, chunk_count) "
        "SELECT embedding_model, term, count(*) FROM chunk_terms GROUP BY 1, 2"
    )
    op.execute(
        "INSERT INTO corpus_stats (embedding_model, chunk_count, title_length, heading_length, text_length) "
        "SELECT embedding_model, count(*), sum(title_length), sum(heading_length), sum(text_length) "
        "FROM chunk_lengths GROUP BY 1"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS corpus_stats")
    op.execute("DROP TABLE IF EXISTS term_stats")
    op.execute("DROP TABLE IF EXISTS chunk_terms")
    op.execute("DROP TABLE IF EXISTS chunk_lengths")
