"""The benchmark command runs end to end on a small load (its figures are not asserted)."""

from __future__ import annotations

from dovvy.db.url import parse_database_url
from dovvy.measure.retrieval_bench import run_retrieval_benchmark


def test_bench_retrieval_prints_its_table(server_url: str) -> None:
    table = run_retrieval_benchmark(parse_database_url(server_url), chunks=600, queries=5)
    lines = table.splitlines()
    assert lines[0].startswith("| measure")
    assert any(line.startswith("| chunks") and "600" in line for line in lines)
    assert any("vector recall@10 vs exact" in line for line in lines)
    assert any("hybrid query p50 / p95" in line for line in lines)
    assert any(line.startswith("| load, 1 connection") and "300 rows" in line for line in lines)
    assert any(line.startswith("| load, 2 connections at once") and "300 rows" in line for line in lines)
