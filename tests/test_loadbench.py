"""`dovvy bench load` runs end to end on a small load, and its figures hold together."""

from __future__ import annotations

import pytest

from dovvy.db.url import ConnectParams
from dovvy.measure.load import ENDPOINTS, run_load
from tests.conftest import url_for


def test_bench_load_prints_its_table(fresh_database: ConnectParams, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url_for(fresh_database))
    table = run_load(clients=3, seconds=1.0, max_requests=60)
    rows = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith(("| endpoint", "| ---"))
    ]
    assert [row.split(" | ")[0].strip("| ") for row in rows] == list(ENDPOINTS)
    for row in rows:
        name, requests, errors, _rate, p50, p95, p99, ratio = (c.strip() for c in row.strip("|").split("|"))
        assert int(requests) > 0, table
        assert errors == "0", table
        assert 0 < float(p50) <= float(p95) <= float(p99), table
        assert float(ratio) > 0, table
        if name == "health":
            assert ratio == "1.0", table
