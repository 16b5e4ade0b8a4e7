from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.cli import main
from dovvy.db.url import ConnectParams
from tests.conftest import ROOT, newcomer_environment, url_for


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_migrate_and_downgrade(
    fresh_database: ConnectParams, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url_for(fresh_database))
    from dovvy.db import SCHEMA_REVISION

    assert run(["migrate"], capsys) == (0, f"schema at revision {SCHEMA_REVISION}\n")
    assert run(["migrate", "--downgrade", "base"], capsys) == (0, "schema at revision base\n")
    assert run(["migrate"], capsys) == (0, f"schema at revision {SCHEMA_REVISION}\n")


def test_db_url_prints_the_configured_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert run(["db-url"], capsys) == (0, database_url + "\n")


def test_db_url_starts_the_embedded_server_when_none_is_configured(tmp_path: Path) -> None:
    env = {"DOVVY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "dovvy.cli", "db-url"], env=env, capture_output=True, text=True, check=True
    )
    url = result.stdout.strip()
    assert url.startswith("postgresql://")
    assert str(tmp_path) in url
    # db-url leaves the server running so the URL stays usable, until `dovvy db stop`.
    assert (tmp_path / "pg" / "postmaster.pid").is_file()
    stop = [sys.executable, "-m", "dovvy.cli", "db", "stop"]
    stopped = subprocess.run(stop, env=env, capture_output=True, text=True, check=True)
    assert stopped.stdout.strip() == f"embedded database in {tmp_path} stopped"
    assert not (tmp_path / "pg" / "postmaster.pid").exists()  # PostgreSQL removes it as it stops
    again = subprocess.run(stop, env=env, capture_output=True, text=True, check=True)
    assert again.stdout.strip() == f"no embedded database running in {tmp_path}"


def test_config_errors_exit_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    assert main(["db-url"]) == 2
    assert "PORT" in capsys.readouterr().err


def test_leads_retry_without_notifiers_says_so(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, out = run(["leads", "retry"], capsys)
    assert code == 0
    assert "no lead notification is configured" in out


def test_seed_loads_reference_data(
    fresh_database: ConnectParams, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url_for(fresh_database))
    monkeypatch.setenv("DOVVY_SEED_FILE", str(DESTINATIONS_FILE))
    code, out = run(["seed"], capsys)
    assert code == 0
    assert "destinations.yaml" in out


def test_sessions_purge_removes_only_expired_sessions(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dovvy.db import sessions
    from dovvy.db.pool import Pool
    from dovvy.db.url import parse_database_url

    pool = Pool(parse_database_url(database_url), max_size=1)
    live = pool.run(lambda conn: sessions.create(conn, diver_profile={}, expiry_hours=1))
    old = pool.run(lambda conn: sessions.create(conn, diver_profile={}, expiry_hours=1))
    pool.run(
        lambda conn: conn.run(
            "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = CAST(:id AS uuid)",
            id=str(old.id),
        )
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, out = run(["sessions", "purge"], capsys)
    remaining = pool.run(
        lambda conn: conn.run(
            "SELECT id FROM sessions WHERE id IN (CAST(:a AS uuid), CAST(:b AS uuid))",
            a=str(live.id),
            b=str(old.id),
        )
    )
    pool.close()
    assert code == 0
    assert out.startswith("expired sessions removed: ")
    assert int(out.split(": ")[1].split(";")[0]) >= 1
    assert [row[0] for row in remaining] == [live.id]


def test_eval_safety_prints_dev_and_test(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"id": "e1", "tier": "emergency", "category": "unresponsive", "text": "my buddy is not breathing"}\n'
        '{"id": "n1", "tier": "caution", "category": "question", "text": "what are the signs of DCS?"}\n'
        '{"id": "m1", "tier": "emergency", "category": "neurological", "text": "what is a dive computer"}\n'
    )
    code, out = run(["eval", "safety", "--file", str(cases), "--show-test"], capsys)
    assert code == 0
    assert out.startswith("| split | emergencies caught (recall) |")
    assert "| language (test split) |" in out
    assert re.search(r"missed m1 \((dev|test)\): what is a dive computer", out)
    assert "false alarm n1" not in out


def test_bench_chat_runs_with_the_limits_configured_on(
    chat_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As documented: it answered 429 once a session passed its per-minute allowance."""
    monkeypatch.setenv("DATABASE_URL", chat_database_url)
    monkeypatch.setenv("RATE_LIMITS", "on")
    code, out = run(["bench", "chat", "--requests", "15"], capsys)
    assert code == 0
    assert "| requests (after warm-up) | 15 |" in out


def test_serve_relaxes_the_limits_for_local_work_and_says_so(
    fresh_database: ConnectParams, tmp_path: Path
) -> None:
    """`make run`: a frontend developer can send the lead form more than five times an hour, and
    the start-up output says the limits are relaxed (deploys keep production's)."""
    import contextlib
    import shutil
    import socket
    import time

    import httpx

    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(next((ROOT / "content" / "safety").glob("*.md")), content)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = newcomer_environment(DATABASE_URL=url_for(fresh_database), DOVVY_CONTENT_DIR=str(content))
    server = subprocess.Popen(
        [sys.executable, "-m", "dovvy.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        said = []
        for line in server.stdout:
            said.append(line)
            if "gateway on" in line:
                break
        (limits,) = [line for line in said if line.startswith("abuse limits:")]
        assert "500 leads" in limits
        assert "deploys keep 5" in limits
        for _ in range(100):  # the line comes just before uvicorn binds the port
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        contact = {"name": "Dev", "email": "dev@example.com"}
        statuses = [
            httpx.post(
                f"http://127.0.0.1:{port}/api/leads",
                json={"type": "trip", "data": {**contact, "message": f"try {n}"}},
                timeout=10,
            ).status_code
            for n in range(7)
        ]
        assert statuses == [201] * 7
    finally:
        server.terminate()
        server.wait(timeout=30)
