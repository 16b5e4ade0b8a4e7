"""The migrate function waits for a database that is not accepting connections yet (a first apply
runs it while RDS Proxy or Cloud SQL is still coming up), then fails naming what it waited for."""

from __future__ import annotations

import json
import os
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from dovvy.cli.lambda_python import target_python
from dovvy.db import SCHEMA_REVISION
from dovvy.db.url import ConnectParams
from dovvy.errors import DatabaseUnavailable
from dovvy.migrate_function import wait_for_database


def test_it_gives_up_after_its_time_naming_the_database(tmp_path: Path) -> None:
    nowhere = ConnectParams(user="dovvy", database="dovvy", unix_sock=str(tmp_path / ".s.PGSQL.5432"))
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with pytest.raises(DatabaseUnavailable, match=r"did not accept a connection within 60 s") as raised:
        wait_for_database(nowhere, within=60, sleep=sleep, clock=lambda: now[0])
    assert "postgresql://dovvy@/dovvy" in str(raised.value)
    assert slept[:5] == [1.0, 2.0, 4.0, 8.0, 15.0]  # backing off, capped
    assert sum(slept) == 60


def test_the_bundle_waits_for_a_database_that_starts_late(
    bundles: Path, fresh_database: ConnectParams, tmp_path: Path
) -> None:
    """From the built bundle, on the runtime's Python: the database's socket appears only after
    the function has started trying; it migrates and seeds once it does."""
    assert fresh_database.unix_sock is not None
    code = tmp_path / "bundle"
    zipfile.ZipFile(bundles / "aws" / "migrate.zip").extractall(code)
    late = tmp_path / "late"
    late.mkdir()
    url = f"postgresql://{fresh_database.user}@/{fresh_database.database}?host={late}"
    process = subprocess.Popen(
        [
            target_python(),
            "-S",
            "-E",
            "-B",
            "-c",
            "import sys; sys.path.insert(0, '.'); import main; print(main.migrate())",
        ],
        cwd=code,
        env={"DATABASE_URL": url, "DOVVY_ENV": "production", "PATH": "", "LOG_LEVEL": "INFO"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The database appears only once the function has found it missing and said so.
    assert process.stderr is not None
    said: list[str] = []
    deadline = time.monotonic() + 60
    while not any("database not reachable yet" in line for line in said):
        assert time.monotonic() < deadline, said
        line = process.stderr.readline()
        assert line, f"the function ended before waiting: {said}"
        said.append(line)
    os.symlink(fresh_database.unix_sock, late / ".s.PGSQL.5432")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, ("".join(said) + err)[-2000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["schema"] == SCHEMA_REVISION
    assert result["connect_attempts"] >= 2


def test_it_creates_the_functions_role_after_the_migrations(fresh_database: ConnectParams) -> None:
    from dovvy.catalogue import DESTINATIONS_FILE
    from dovvy.config import Secret, Settings
    from dovvy.db.pool import Pool
    from dovvy.migrate_function import run
    from tests.conftest import url_for

    role = f"app_{fresh_database.database[-8:]}"
    settings = Settings(
        database_url=Secret(url_for(fresh_database)),
        seed_file=DESTINATIONS_FILE,
        database_app_user=role,
        # As RDS Proxy's secret holds it; on GCP the secret is the password alone.
        database_app_password=Secret('{"username": "ignored", "password": "pw"}'),
    )
    assert run(settings, wait_seconds=5)["app_role"] == role
    as_app = Pool(
        ConnectParams(user=role, database=fresh_database.database, unix_sock=fresh_database.unix_sock)
    )
    try:
        assert as_app.run(lambda conn: conn.run("SELECT count(*) > 0 FROM destinations")) == [[True]]
    finally:
        as_app.close()
