"""`dovvy bench load` runs end to end on a small load; its figures are printed, not asserted."""

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
    assert all(row.split(" | ")[2] == "0" for row in rows), table  # no errors
