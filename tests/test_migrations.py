from __future__ import annotations

import pytest
from pg8000.exceptions import DatabaseError

from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.db import SCHEMA_REVISION, migrate
from dovvy.db.pool import Connection, Pool
from dovvy.db.url import ConnectParams

TABLES = [
    "chunk_terms",
    "content_documents",
    "content_embeddings",
    "corpus_stats",
    "destinations",
    "dive_sites",
    "leads",
    "rate_counters",
    "sessions",
    "telegram_chats",
    "telegram_updates",
    "term_stats",
]


def tables(params: ConnectParams) -> list[str]:
    pool = Pool(params, max_size=1)
    try:
        rows = pool.run(
            lambda conn: conn.run(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_name <> 'alembic_version' ORDER BY 1"
            )
        )
    finally:
        pool.close()
    return [row[0] for row in rows]


def test_upgrade_downgrade_upgrade_round_trip(fresh_database: ConnectParams) -> None:
    migrate.upgrade(fresh_database)
    assert migrate.current(fresh_database) == SCHEMA_REVISION
    assert tables(fresh_database) == TABLES

    migrate.downgrade(fresh_database, "base")
    assert migrate.current(fresh_database) is None
    assert tables(fresh_database) == []

    migrate.upgrade(fresh_database)
    assert migrate.current(fresh_database) == SCHEMA_REVISION
    assert tables(fresh_database) == TABLES


def test_schema_revision_constant_is_the_migration_head() -> None:
    from alembic.script import ScriptDirectory

    from dovvy.db.migrate import _config
    from dovvy.db.url import ConnectParams

    scripts = ScriptDirectory.from_config(_config(ConnectParams(user="x", database="x"), 1.0))
    assert scripts.get_current_head() == SCHEMA_REVISION


def test_vector_index_exists_and_the_unused_text_index_is_gone(fresh_database: ConnectParams) -> None:
    migrate.upgrade(fresh_database)
    pool = Pool(fresh_database, max_size=1)
    try:
        rows = pool.run(
            lambda conn: conn.run(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'content_embeddings'"
            )
        )
    finally:
        pool.close()
    definitions = dict(rows)
    hnsw = definitions["content_embeddings_embedding_hnsw"]
    assert "USING hnsw (embedding vector_cosine_ops)" in hnsw
    assert "m='16'" in hnsw
    assert "ef_construction='64'" in hnsw
    # The keyword leg reads chunk_terms (0006); the full-text GIN index went with 0007.
    assert "content_embeddings_tsv_gin" not in definitions


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        pytest.param(
            "INSERT INTO leads (type, name, email, request_hash) VALUES ('wreck', 'a', 'a@b.co', 'h')",
            "leads_type_check",
            id="lead-type",
        ),
        pytest.param(
            "INSERT INTO dive_sites (destination_id, code, name, min_depth_m, max_depth_m, difficulty, "
            "min_certification) VALUES (1, 'x', 'x', 30, 10, 'beginner', 'Open Water')",
            "dive_sites_depth_order",
            id="site-depths",
        ),
    ],
)
def test_checks_reject_bad_rows(fresh_database: ConnectParams, sql: str, constraint: str) -> None:
    migrate.upgrade(fresh_database)
    pool = Pool(fresh_database, max_size=1)
    try:
        pool.run(
            lambda conn: conn.run(
                "INSERT INTO destinations (code, name, country, region) VALUES ('d', 'D', 'C', 'R')"
            )
        )
        with pytest.raises(DatabaseError, match=constraint):
            pool.run(lambda conn: conn.run(sql))
    finally:
        pool.close()


def test_deleting_a_destination_removes_its_sites(fresh_database: ConnectParams) -> None:
    from dovvy import seed

    migrate.upgrade(fresh_database)
    pool = Pool(fresh_database, max_size=1)
    try:
        pool.run(lambda conn: seed.apply(conn, seed.load(DESTINATIONS_FILE)))
        pool.run(lambda conn: conn.run("DELETE FROM destinations WHERE code = 'cozumel'"))
        rows = pool.run(lambda conn: conn.run("SELECT count(*) FROM dive_sites WHERE code = 'paradise-reef'"))
    finally:
        pool.close()
    assert rows == [[0]]


def test_the_bm25_revision_indexes_chunks_stored_before_it(fresh_database: ConnectParams) -> None:
    from dovvy.db import bm25

    migrate.upgrade(fresh_database, "0005")
    pool = Pool(fresh_database, max_size=1)
    try:
        zero = "[" + ",".join(["0"] * 768) + "]"
        for index, (heading, text) in enumerate(
            [("Torches", "Carry a backup torch."), ("Crabs", "Crabs at night.")]
        ):
            metadata = f'{{"title": "Night Diving", "heading": "{heading}"}}'

            def insert(conn: Connection, i: int = index, t: str = text, meta: str = metadata) -> None:
                conn.run(
                    "INSERT INTO content_embeddings (content_path, chunk_index, chunk_text, content_hash, "
                    "embedding_model, embedding, metadata) VALUES ('night.md', :i, :t, :h, 'm', "
                    "CAST(:v AS vector), CAST(:meta AS jsonb))",
                    i=i,
                    t=t,
                    h=f"hash{i}",
                    v=zero,
                    meta=meta,
                )

            pool.run(insert)
        migrate.upgrade(fresh_database)
        indexed = pool.run(bm25.statistics)
        pool.run(bm25.rebuild)
        assert indexed == pool.run(bm25.statistics)
        assert ("m", "torch", 1) in indexed["terms"]
        assert indexed["corpus"][0][:2] == ("m", 2)
    finally:
        pool.close()


def _session_view(params: ConnectParams) -> tuple[list[str], list[str]]:
    """What a new connection finds missing before the pool sets anything, and what it then has."""
    import pg8000.native

    from dovvy.db.pool import missing_settings

    raw = pg8000.native.Connection(**params.connect_kwargs(10))
    try:
        missing = missing_settings(raw)
    finally:
        raw.close()
    pool = Pool(params, max_size=1)
    try:
        values = pool.run(
            lambda conn: conn.run(
                "SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan')"
            )[0]
        )
    finally:
        pool.close()
    return missing, list(values)


def test_search_settings_come_with_the_session_not_a_set(fresh_database: ConnectParams) -> None:
    """Behind RDS Proxy a session-level SET pins the session: after 0008 a new connection already
    has the search settings, so the pool sends none; before it, the pool still sets them."""
    migrate.upgrade(fresh_database, "0007")
    missing, values = _session_view(fresh_database)
    assert missing == ["SET hnsw.ef_search = 100", "SET hnsw.iterative_scan = relaxed_order"]
    assert values == ["100", "relaxed_order"]

    migrate.upgrade(fresh_database)
    missing, values = _session_view(fresh_database)
    assert missing == []
    assert values == ["100", "relaxed_order"]

    migrate.downgrade(fresh_database, "0007")
    assert _session_view(fresh_database)[0] == [
        "SET hnsw.ef_search = 100",
        "SET hnsw.iterative_scan = relaxed_order",
    ]


def test_postings_survive_the_change_of_key_both_ways(fresh_database: ConnectParams) -> None:
    """0009 keys postings by a hash of the term: stored postings are carried over, and going back
    rebuilds them with their texts from the chunks."""
    from dovvy.db import bm25

    migrate.upgrade(fresh_database)
    pool = Pool(fresh_database, max_size=1)

    def postings(conn: Connection, key: str) -> set[tuple[object, ...]]:
        rows = conn.run(
            f"SELECT {key}, chunk_id, in_title, in_heading, in_text, title_length, heading_length, "
            "text_length FROM chunk_terms"
        )
        return {tuple(row) for row in rows}

    try:
        pool.run(
            lambda conn: conn.run(
                "INSERT INTO content_embeddings (content_path, chunk_index, chunk_text, content_hash, "
                "embedding_model, embedding, metadata) VALUES ('gas/nitrox.md', 0, "
                "'Nitrox divers breathe enriched air. Nitrox extends no-decompression limits.', 'h', 'm', "
                "CAST(array_fill(0.1, ARRAY[768]) AS vector), "
                """'{"title": "Enriched Air Nitrox", "heading": "Why nitrox"}')"""
            )
        )
        pool.run(bm25.rebuild)
        hashed = pool.run(lambda conn: postings(conn, "term_hash"))
        assert len(hashed) >= 8

        migrate.downgrade(fresh_database, "0008")
        by_text = pool.run(lambda conn: postings(conn, "term"))
        assert {(row[0]) for row in by_text} >= {"nitrox", "enrich", "air", "decompress"}
        assert pool.run(lambda conn: postings(conn, "hashtextextended(term, 0)")) == hashed

        migrate.upgrade(fresh_database)
        assert pool.run(lambda conn: postings(conn, "term_hash")) == hashed
    finally:
        pool.close()
