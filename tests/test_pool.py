from __future__ import annotations

import threading

import pytest
from starlette.testclient import TestClient

from dovvy.bootstrap import prepare
from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from dovvy.db.embedded import EmbeddedPostgres
from dovvy.db.pool import Connection, Pool
from dovvy.db.url import parse_database_url
from dovvy.errors import DatabaseUnavailable
from dovvy.gateway import create_gateway
from dovvy.runtime import Runtime


def test_connection_is_reused_across_calls(database_url: str) -> None:
    pool = Pool(parse_database_url(database_url), max_size=2)
    for _ in range(5):
        assert pool.run(lambda conn: conn.run("SELECT 1")) == [[1]]
    assert pool.connects == 1
    pool.close()


def test_requests_succeed_after_the_server_restarts(
    own_server: tuple[EmbeddedPostgres, str],
) -> None:
    server, url = own_server
    settings = Settings(database_url=Secret(url), seed_file=DESTINATIONS_FILE)
    prepare(settings)
    runtime = Runtime(settings)
    with TestClient(create_gateway(runtime)) as client:
        first = client.post("/api/sessions")
        assert first.status_code == 201
        server.restart()
        second = client.get(f"/api/sessions/{first.json()['id']}")
        assert second.status_code == 200
        assert second.json()["id"] == first.json()["id"]
    assert runtime.pool.connects == 2
    runtime.close()


def test_database_down_is_503_and_recovers(own_server: tuple[EmbeddedPostgres, str]) -> None:
    server, url = own_server
    settings = Settings(database_url=Secret(url), seed_file=DESTINATIONS_FILE)
    prepare(settings)
    runtime = Runtime(settings)
    with TestClient(create_gateway(runtime)) as client:
        assert client.get("/ready").status_code == 200
        server.stop()
        down = client.get("/ready")
        assert down.status_code == 503
        assert down.json()["status"] == "not_ready"
        assert down.json()["checks"]["database"].startswith("unavailable")
        failed = client.post("/api/sessions")
        assert failed.status_code == 503
        assert failed.json()["code"] == "DATABASE_UNAVAILABLE"
        assert failed.headers["retry-after"] == "5"
        server.restart()
        assert client.get("/ready").status_code == 200
        assert client.post("/api/sessions").status_code == 201
    runtime.close()


def test_unreachable_database_fails_fast_with_database_unavailable() -> None:
    pool = Pool(parse_database_url("postgresql://u@/db?host=/nonexistent-dir"), max_size=1)
    with pytest.raises(DatabaseUnavailable):
        pool.run(lambda conn: conn.run("SELECT 1"))


def test_failed_work_rolls_back(database_url: str) -> None:
    pool = Pool(parse_database_url(database_url), max_size=1)

    def half_way(conn: object) -> None:
        conn.run("INSERT INTO destinations (code, name, country, region) VALUES ('tmp', 't', 'c', 'r')")  # type: ignore[attr-defined]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        pool.run(half_way)
    assert pool.run(lambda conn: conn.run("SELECT count(*) FROM destinations WHERE code = 'tmp'")) == [[0]]
    pool.close()


def test_pool_never_exceeds_its_size(database_url: str) -> None:
    pool = Pool(parse_database_url(database_url), max_size=2)
    barrier = threading.Barrier(4)

    def work(_: int) -> None:
        pool.run(lambda conn: conn.run("SELECT pg_sleep(0.05)"))

    def run(i: int) -> None:
        barrier.wait()
        work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pool.connects == 2
    pool.close()


def test_after_a_restart_every_dead_idle_connection_is_dropped_at_once(
    own_server: tuple[EmbeddedPostgres, str],
) -> None:
    server, url = own_server
    pool = Pool(parse_database_url(url), max_size=4)
    barrier = threading.Barrier(4)

    def hold(_: object) -> None:
        barrier.wait()
        pool.run(lambda conn: conn.run("SELECT pg_sleep(0.05)"))

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pool.connects == 4
    server.restart()
    for _ in range(10):
        assert pool.run(lambda conn: conn.run("SELECT 1")) == [[1]]
    assert pool.connects == 5  # one fresh connection, not one failed request per dead one
    pool.close()


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_chat_with_the_database_down_is_503_on_both_endpoints(
    own_server: tuple[EmbeddedPostgres, str], path: str
) -> None:
    server, url = own_server
    settings = Settings(database_url=Secret(url), seed_file=DESTINATIONS_FILE)
    prepare(settings)
    runtime = Runtime(settings)
    with TestClient(create_gateway(runtime)) as client:
        server.stop()
        response = client.post(path, json={"message": "How deep can I dive?"})
    runtime.close()
    assert response.status_code == 503
    assert response.json()["code"] == "DATABASE_UNAVAILABLE"


def test_a_mistake_in_the_call_is_not_a_lost_connection(database_url: str) -> None:
    # pg8000 raises InterfaceError for a placeholder without a value as for a dead socket; taking it
    # for the latter ran the work twice, dropped every idle connection and answered 503.
    from pg8000.exceptions import InterfaceError

    pool = Pool(parse_database_url(database_url), max_size=2)
    assert pool.run(lambda conn: conn.run("SELECT 1")) == [[1]]
    attempts = []

    def work(conn: Connection) -> object:
        attempts.append(1)
        return conn.run("SELECT CAST(:missing AS int) + :given", given=1)

    with pytest.raises(InterfaceError):
        pool.run(work)
    assert attempts == [1]
    assert pool.run(lambda conn: conn.run("SELECT 2")) == [[2]]
    assert pool.connects == 1
    pool.close()
