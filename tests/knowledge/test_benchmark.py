"""The benchmark command runs end to end on a small load, and its figures hold together."""

from __future__ import annotations

import re

from dovvy.db.url import parse_database_url
from dovvy.measure.retrieval_bench import run_retrieval_benchmark


def _parts(pattern: str, text: str) -> tuple[str, ...]:
    found = re.fullmatch(pattern, text)
    assert found is not None, text
    return found.groups()


def test_bench_retrieval_prints_a_table_whose_figures_hold_together(server_url: str) -> None:
    table = run_retrieval_benchmark(parse_database_url(server_url), chunks=600, queries=5)
    rows = {
        cells[0]: cells[1]
        for line in table.splitlines()[2:]
        if len(cells := [c.strip() for c in line.strip("|").split("|")]) == 2
    }
    assert rows["chunks"] == "600"
    for load in ("load, 1 connection (binary COPY + BM25 index)", "load, 2 connections at once"):
        loaded, seconds, rate = _parts(r"(\d+) rows in ([\d.]+) s \(([\d,]+) rows/s\)", rows[load])
        assert loaded == "300"
        assert float(seconds) >= 0
        assert int(rate.replace(",", "")) > 0
    for query in ("hybrid query p50 / p95", "vector query p50 / p95"):
        p50, p95 = map(float, _parts(r"([\d.]+) / ([\d.]+) ms", rows[query]))
        assert 0 < p50 <= p95
    # 600 chunks: HNSW with ef_search 100 finds the exact top 10.
    assert rows["vector recall@10 vs exact"] == "1.000 (5 queries)"
    assert float(rows["hybrid / vector at p95"].rstrip("x")) > 0
