"""Content documents: one row per ingested document and embedding model.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The document hash lets an unchanged file cost no embedding call and no write; the metadata
indexes keep filtered retrieval cheap.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE content_documents (
            content_path text NOT NULL,
            embedding_model text NOT NULL,
            document_hash text NOT NULL,
            title text NOT NULL,
            doc_type text NOT NULL,
            chunk_count integer NOT NULL CHECK (chunk_count >= 0),
            metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (content_path, embedding_model)
        )
        """
    )
    op.execute(
        "CREATE INDEX content_embeddings_doc_type_idx ON content_embeddings ((metadata ->> 'doc_type'))"
    )
    op.execute(
        "CREATE INDEX content_embeddings_destination_idx ON content_embeddings ((metadata ->> 'destination'))"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS content_embeddings_destination_idx")
    op.execute("DROP INDEX IF EXISTS content_embeddings_doc_type_idx")
    op.execute("DROP TABLE IF EXISTS content_documents")
