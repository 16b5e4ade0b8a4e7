"""Foundation schema: sessions, leads, destinations, dive sites and content embeddings.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Plain SQL on purpose: the vector index, the generated tsvector and the checks read exactly as they
run, and nothing here needs more than PostgreSQL 15 with pgvector 0.5.
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(
        """
        CREATE TABLE sessions (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            diver_profile jsonb NOT NULL DEFAULT '{}'::jsonb,
            conversation_history jsonb NOT NULL DEFAULT '[]'::jsonb,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            CONSTRAINT sessions_history_is_array CHECK (jsonb_typeof(conversation_history) = 'array'),
            CONSTRAINT sessions_profile_is_object CHECK (jsonb_typeof(diver_profile) = 'object')
        )
        """
    )
    op.execute("CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)")
    op.execute(
        """
        CREATE TABLE leads (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            type text NOT NULL CONSTRAINT leads_type_check CHECK (type IN ('training', 'trip')),
            name text NOT NULL,
            email text NOT NULL,
            phone text,
            request_details jsonb NOT NULL DEFAULT '{}'::jsonb,
            diver_profile jsonb,
            session_id uuid REFERENCES sessions (id) ON DELETE SET NULL,
            idempotency_key text UNIQUE,
            request_hash text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            notification_status text NOT NULL DEFAULT 'pending'
                CONSTRAINT leads_notification_status_check
                CHECK (notification_status IN ('pending', 'sent', 'failed', 'skipped')),
            notification_attempts integer NOT NULL DEFAULT 0,
            notification_error text,
            notified_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX leads_email_idx ON leads (email)")
    op.execute("CREATE INDEX leads_session_id_idx ON leads (session_id)")
    op.execute(
        "CREATE INDEX leads_pending_notification_idx ON leads (created_at) "
        "WHERE notification_status IN ('pending', 'failed')"
    )
    op.execute(
        """
        CREATE TABLE destinations (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            code text NOT NULL UNIQUE,
            name text NOT NULL,
            country text NOT NULL,
            region text NOT NULL,
            description text NOT NULL DEFAULT '',
            best_months text,
            water_temp_c text,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE dive_sites (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            destination_id bigint NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
            code text NOT NULL UNIQUE,
            name text NOT NULL,
            min_depth_m numeric(5, 1) NOT NULL CHECK (min_depth_m >= 0),
            max_depth_m numeric(5, 1) NOT NULL,
            difficulty text NOT NULL
                CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
            min_certification text NOT NULL,
            tags text[] NOT NULL DEFAULT '{}',
            description text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT dive_sites_depth_order CHECK (max_depth_m >= min_depth_m)
        )
        """
    )
    op.execute("CREATE INDEX dive_sites_destination_idx ON dive_sites (destination_id)")
    op.execute(
        """
        CREATE TABLE content_embeddings (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            content_path text NOT NULL,
            chunk_index integer NOT NULL CHECK (chunk_index >= 0),
            chunk_text text NOT NULL,
            content_hash text NOT NULL,
            embedding_model text NOT NULL,
            embedding vector(768) NOT NULL,
            search_tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', coalesce(metadata ->> 'title', '')), 'A')
                || setweight(to_tsvector('english', coalesce(metadata ->> 'heading', '')), 'B')
                || setweight(to_tsvector('english', chunk_text), 'C')
            ) STORED,
            metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
            created_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT content_embeddings_chunk_key
                UNIQUE (content_path, chunk_index, embedding_model)
        )
        """
    )
    op.execute(
        "CREATE INDEX content_embeddings_embedding_hnsw ON content_embeddings "
        "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
    )
    op.execute("CREATE INDEX content_embeddings_tsv_gin ON content_embeddings USING gin (search_tsv)")
    op.execute(
        "CREATE INDEX content_embeddings_model_path_idx ON content_embeddings (embedding_model, content_path)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS content_embeddings")
    op.execute("DROP TABLE IF EXISTS dive_sites")
    op.execute("DROP TABLE IF EXISTS destinations")
    op.execute("DROP TABLE IF EXISTS leads")
    op.execute("DROP TABLE IF EXISTS sessions")
    # The extension stays: other schemas in the same database may use it.
