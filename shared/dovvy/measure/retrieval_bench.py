"""`dovvy bench retrieval`: load synthetic text-like chunks, build the HNSW index, time hybrid search.

The data imitate text embeddings: vectors are low-rank (a couple of hundred latent directions plus
noise) and grouped into topics, and each chunk's words come from its topic's vocabulary, so both
legs of the hybrid query do real work. It runs in a database of its own (`dovvy_bench`) on the same
server, and leaves it there for inspection.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import struct
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dovvy.db import binary_copy, bm25, migrate
from dovvy.db.pool import Connection, Pool
from dovvy.db.url import ConnectParams
from dovvy.knowledge.retrieval import Retriever
from dovvy.measure.figures import percentile, two_column_table

DIMENSIONS = 768
_LATENT = 192
_TOPICS = 400
# How far a chunk strays from its topic. At 1.75 HNSW (m 16, ef_search 100) finds 0.94 of the true
# ten nearest at 100k chunks, about what real text embeddings give; below 1.5 topics are so tight
# that recall is 1.0 and says nothing, at 2.0 it falls to 0.90 already at 20k.
LATENT_NOISE = 1.75
DENSE_NOISE = 0.5
_MODEL = "bench-synthetic"
_COPY = (
    "COPY content_embeddings (id, content_path, chunk_index, chunk_text, content_hash, embedding_model, "
    "embedding, metadata) FROM STDIN WITH (FORMAT binary)"
)
_RESERVE_IDS = (
    "SELECT nextval(pg_get_serial_sequence('content_embeddings', 'id')) FROM generate_series(1, :n)"
)
_NEAREST = (
    "SELECT id FROM content_embeddings WHERE embedding_model = :model "
    "ORDER BY embedding <=> CAST(:q AS vector) LIMIT 10"
)


class _PreparedEmbedder:
    """Returns the query vector prepared for each benchmark query (no model in the timed path)."""

    model = _MODEL

    def __init__(self) -> None:
        self.vectors: dict[str, list[float]] = {}

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.vectors[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


class _Synthetic:
    def __init__(self, seed: int) -> None:
        import numpy as np

        self.np = np
        self.rng = np.random.default_rng(seed)
        self.basis = self.rng.standard_normal((_LATENT, DIMENSIONS)).astype(np.float32)
        self.centres = self.rng.standard_normal((_TOPICS, _LATENT)).astype(np.float32)
        self.vocabulary = [f"w{i:05d}" for i in range(20_000)]
        self.topic_words = self.rng.integers(0, len(self.vocabulary), size=(_TOPICS, 40))

    def topics(self, count: int) -> Any:
        return self.rng.integers(0, _TOPICS, size=count)

    def vectors(self, topics: Any) -> Any:
        np = self.np
        latent = self.centres[topics] + LATENT_NOISE * self.rng.standard_normal((len(topics), _LATENT))
        dense = latent @ self.basis + DENSE_NOISE * self.rng.standard_normal((len(topics), DIMENSIONS))
        return (dense / np.linalg.norm(dense, axis=1, keepdims=True)).astype(">f4")

    def text(self, topic: int) -> str:
        own = [self.vocabulary[i] for i in self.rng.choice(self.topic_words[topic], size=25)]
        common = [self.vocabulary[i] for i in self.rng.integers(0, len(self.vocabulary), size=15)]
        return " ".join(own + common)

    def query_words(self, topic: int) -> str:
        return " ".join(
            self.vocabulary[i] for i in self.rng.choice(self.topic_words[topic], size=3, replace=False)
        )


def _bench_database(params: ConnectParams) -> ConnectParams:
    admin = Pool(params, max_size=1)
    try:
        admin.run(
            lambda conn: conn.run("DROP DATABASE IF EXISTS dovvy_bench WITH (FORCE)"), transaction=False
        )
        admin.run(lambda conn: conn.run("CREATE DATABASE dovvy_bench"), transaction=False)
    finally:
        admin.close()
    bench = dataclasses.replace(params, database="dovvy_bench")
    migrate.upgrade(bench)
    return bench


_Batch = tuple[list[int], Any]


def _batches(pool: Pool, data: _Synthetic, first: int, chunks: int, size: int) -> list[_Batch]:
    """Chunks `first` to `first + chunks` as binary COPY streams of `size` rows, generated before
    anything is timed. Ids are taken from the table's sequence up front, so each batch indexes
    exactly its own chunks while other batches load beside it."""
    header = struct.pack("!hh", DIMENSIONS, 0)
    ids = [row[0] for row in pool.run(lambda conn: conn.run(_RESERVE_IDS, n=chunks))]
    batches = []
    for offset in range(0, chunks, size):
        topics = data.topics(min(size, chunks - offset))
        vectors = data.vectors(topics)
        batch_ids = ids[offset : offset + len(topics)]
        start = first + offset
        stream = binary_copy.encode_rows(
            (
                binary_copy.int8(batch_ids[i]),
                binary_copy.text(f"bench/{start + i}.md"),
                binary_copy.int4(0),
                binary_copy.text(data.text(int(topic))),
                binary_copy.text(f"h{start + i}"),
                binary_copy.text(_MODEL),
                header + vectors[i].tobytes(),
                binary_copy.jsonb({"doc_type": "general", "title": f"Synthetic {start + i}"}),
            )
            for i, topic in enumerate(topics)
        )
        batches.append((batch_ids, stream))
    return batches


def _load(pool: Pool, batches: list[_Batch], loaders: int) -> float:
    """Each batch in one transaction, COPY then its BM25 index, as ingestion does; `loaders`
    connections at once. Returns the wall-clock seconds."""

    def load(batch: _Batch) -> None:
        ids, stream = batch

        def work(conn: Connection) -> None:
            conn.run(_COPY, stream=stream)
            bm25.index_chunks(conn, ids)

        pool.run(work)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=loaders) as workers:
        list(workers.map(load, batches))
    return time.perf_counter() - started


def _build_index(pool: Pool) -> float:
    def build(conn: Connection) -> None:
        conn.run("SET maintenance_work_mem = '1GB'")
        conn.run(
            "CREATE INDEX content_embeddings_embedding_hnsw ON content_embeddings "
            "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
        # Every table the query reads, as autovacuum would have analysed them by now.
        conn.run("VACUUM ANALYZE content_embeddings")
        conn.run("VACUUM ANALYZE chunk_terms, term_stats, corpus_stats")

    started = time.perf_counter()
    pool.run(build, transaction=False)
    return time.perf_counter() - started


def _recall(pool: Pool, vectors: list[list[float]]) -> float:
    recalls = []
    for values in vectors:
        q = "[" + ",".join(f"{v:.7f}" for v in values) + "]"

        def approximate(conn: Connection, q: str = q) -> Any:
            return conn.run(_NEAREST, model=_MODEL, q=q)

        def exact(conn: Connection, q: str = q) -> Any:
            conn.run("SET LOCAL enable_indexscan = off")
            return conn.run(_NEAREST, model=_MODEL, q=q)

        found = {row[0] for row in pool.run(approximate)}
        truth = {row[0] for row in pool.run(exact)}
        recalls.append(len(found & truth) / 10)
    return statistics.mean(recalls)


@dataclasses.dataclass(frozen=True)
class _Loaded:
    rows: tuple[int, int]  # loaded through one connection, then through `loaders`
    seconds: tuple[float, float]
    index_seconds: float


def _load_and_index(bench: ConnectParams, data: _Synthetic, chunks: int, batch: int, loaders: int) -> _Loaded:
    # Index builds take minutes at scale: the socket timeout must outlast them.
    pool = Pool(bench, max_size=loaders, timeout=3600)
    try:
        pool.run(lambda conn: conn.run("DROP INDEX content_embeddings_embedding_hnsw"))
        # The first half loads through one connection, the second through `loaders` at once (a
        # bulk ingest using every core): both rates from the same run, on the same growing table.
        loaded = (chunks // 2, chunks - chunks // 2)
        # Batches of at most `batch` rows, as many as a multiple of `loaders`, so no connection
        # is left loading alone at the end.
        rounds = max(1, math.ceil(loaded[1] / (loaders * batch)))
        size = max(1, math.ceil(loaded[1] / (loaders * rounds)))
        one_loader = _load(pool, _batches(pool, data, 0, loaded[0], size), 1)
        many_loaders = _load(pool, _batches(pool, data, loaded[0], loaded[1], size), loaders)
        return _Loaded(loaded, (one_loader, many_loaders), _build_index(pool))
    finally:
        pool.close()


def _query(
    bench: ConnectParams, data: _Synthetic, queries: int, ef_search: int
) -> tuple[dict[str, list[float]], float, int]:
    """Milliseconds per query in each mode, and vector recall@10 against exact search on a sample."""
    # Queries go through one connection: a SET reaches only the session that sends it.
    pool = Pool(bench, max_size=1, timeout=3600)
    try:
        pool.run(lambda conn: conn.run(f"SET hnsw.ef_search = {int(ef_search)}"), transaction=False)
        embedder = _PreparedEmbedder()
        topics = data.topics(queries)
        query_vectors = data.vectors(topics).astype(data.np.float32)
        texts = []
        for number, topic in enumerate(topics):
            text = f"{data.query_words(int(topic))} q{number}"
            embedder.vectors[text] = query_vectors[number].tolist()
            texts.append(text)
        retriever = Retriever(pool, embedder, per_document=1)
        retriever.search(texts[0], top_k=10)  # warm the connection and caches
        timings: dict[str, list[float]] = {"hybrid": [], "vector": []}
        for number, text in enumerate(texts):
            # Each query runs in both modes, and the second finds the first's pages in the buffer
            # cache: the modes take turns going first.
            modes = ("hybrid", "vector") if number % 2 == 0 else ("vector", "hybrid")
            for mode in modes:
                started = time.perf_counter()
                retriever.search(text, top_k=10, mode=mode)  # type: ignore[arg-type]
                timings[mode].append((time.perf_counter() - started) * 1000)
        sample = [embedder.vectors[text] for text in texts[:50]]
        return timings, _recall(pool, sample), len(sample)
    finally:
        pool.close()


def run_retrieval_benchmark(
    params: ConnectParams,
    *,
    chunks: int,
    queries: int = 200,
    ef_search: int = 100,
    seed: int = 7,
    batch: int = 10_000,
    loaders: int = 2,
) -> str:
    data = _Synthetic(seed)
    bench = _bench_database(params)
    loaded = _load_and_index(bench, data, chunks, batch, loaders)
    timings, recall, sampled = _query(bench, data, queries, ef_search)
    hybrid, vector = timings["hybrid"], timings["vector"]
    (first, second), (one_loader, many_loaders) = loaded.rows, loaded.seconds
    rows = [
        ("chunks", f"{chunks:,}"),
        (
            "load, 1 connection (binary COPY + BM25 index)",
            f"{first:,} rows in {one_loader:.1f} s ({first / max(one_loader, 1e-9):,.0f} rows/s)",
        ),
        (
            f"load, {loaders} connections at once",
            f"{second:,} rows in {many_loaders:.1f} s ({second / max(many_loaders, 1e-9):,.0f} rows/s)",
        ),
        ("HNSW build (m=16, ef_construction=64)", f"{loaded.index_seconds:.1f} s"),
        ("hnsw.ef_search", str(ef_search)),
        ("hybrid query p50 / p95", f"{statistics.median(hybrid):.1f} / {percentile(hybrid, 0.95):.1f} ms"),
        ("vector query p50 / p95", f"{statistics.median(vector):.1f} / {percentile(vector, 0.95):.1f} ms"),
        ("hybrid / vector at p95", f"{percentile(hybrid, 0.95) / percentile(vector, 0.95):.2f}x"),
        ("vector recall@10 vs exact", f"{recall:.3f} ({sampled} queries)"),
    ]
    return two_column_table(rows)
