"""The role the deployed functions sign in as (db/app_role.py), on the real server: it serves the
API, it cannot change the schema, and its password is stored and checked as a SCRAM verifier."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import uuid
from pathlib import Path

import pytest
from pg8000.exceptions import DatabaseError
from starlette.testclient import TestClient

from dovvy.bootstrap import prepare
from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from dovvy.db.app_role import ensure_app_role, password_of, scram_verifier
from dovvy.db.embedded import EmbeddedPostgres
from dovvy.db.pool import Connection, Pool
from dovvy.db.url import ConnectParams, parse_database_url
from dovvy.errors import DatabaseUnavailable
from dovvy.function_apps import create_function_app
from dovvy.knowledge.ingest import Ingestor
from dovvy.runtime import Runtime
from tests.conftest import url_for


def _owner(params: ConnectParams) -> Pool:
    prepare(Settings(database_url=Secret(url_for(params)), seed_file=DESTINATIONS_FILE))
    return Pool(params, max_size=1)


@pytest.fixture
def role() -> str:
    return f"app_{uuid.uuid4().hex[:10]}"


def test_the_functions_role_serves_the_api_and_cannot_change_the_schema(
    fresh_database: ConnectParams, role: str
) -> None:
    owner = _owner(fresh_database)
    owner.run(lambda conn: ensure_app_role(conn, role, "not-this-one"))
    owner.run(lambda conn: ensure_app_role(conn, role, "s3cret"))  # every migrate run: idempotent
    owner.close()
    as_app = dataclasses.replace(fresh_database, user=role)
    runtime = Runtime(Settings(database_url=Secret(url_for(as_app)), rate_limits=True))
    with TestClient(create_function_app("session", runtime)) as client:
        created = client.post("/api/sessions", json={"diverProfile": {"certification_level": "Open Water"}})
        assert created.status_code == 201
        assert client.get(f"/api/sessions/{created.json()['id']}").status_code == 200
        assert client.delete(f"/api/sessions/{created.json()['id']}").status_code == 204
        assert client.get("/ready").json()["status"] == "ready"
    with TestClient(create_function_app("lead", runtime)) as client:
        lead = {"type": "trip", "data": {"name": "Sam", "email": "sam@example.com", "destination": "Tioman"}}
        assert client.post("/api/leads", json=lead).status_code == 201
    # Ingestion (binary COPY, the BM25 postings and counters) and a search, as the ingest and chat
    # functions do them.
    ingestor = Ingestor(runtime.pool, runtime.embedder)
    article = "---\ntitle: Safety stops\n---\n\n## Why\n\nA safety stop at five metres for three minutes.\n"
    assert ingestor.ingest_text("safety/stops.md", article) == "new"
    assert ingestor.delete("safety/stops.md")
    settings = runtime.pool.run(lambda conn: conn.run("SHOW hnsw.ef_search"), transaction=False)
    assert settings == [["100"]]  # the search settings come with the role, no SET needed
    for statement in (
        "CREATE TABLE intruder (a int)",
        "DROP TABLE sessions",
        "ALTER TABLE leads ADD COLUMN x int",
        "TRUNCATE sessions",
        f"ALTER ROLE {role} SUPERUSER",
        "CREATE ROLE another",
    ):

        def attempt(conn: Connection, sql: str = statement) -> object:
            return conn.run(sql)

        with pytest.raises((DatabaseError, DatabaseUnavailable)) as refused:
            runtime.pool.run(attempt)
        assert "42501" in str(refused.value.args) or "permission" in str(refused.value).lower(), statement
    runtime.close()


def test_the_migrating_role_is_never_made_the_functions_role(fresh_database: ConnectParams) -> None:
    owner = _owner(fresh_database)
    with pytest.raises(ValueError, match="must not be the one that migrates"):
        owner.run(lambda conn: ensure_app_role(conn, fresh_database.user, "x"))
    owner.close()


def test_the_password_is_stored_as_a_verifier_that_signs_in(
    own_server: tuple[EmbeddedPostgres, str], role: str, tmp_path: Path
) -> None:
    """With the server set to ask this role for its password (SCRAM), the right one signs in and
    another does not; the server holds only the verifier."""
    _, url = own_server
    admin = parse_database_url(url)
    owner = Pool(admin, max_size=1)
    owner.run(lambda conn: conn.run("CREATE EXTENSION IF NOT EXISTS vector"))
    owner.run(lambda conn: ensure_app_role(conn, role, "correct horse"))
    (hba,) = owner.run(lambda conn: conn.run("SHOW hba_file"), transaction=False)[0]
    rules = Path(hba).read_text()
    Path(hba).write_text(f"local all {role} scram-sha-256\n{rules}")
    owner.run(lambda conn: conn.run("SELECT pg_reload_conf()"), transaction=False)
    (stored,) = owner.run(
        lambda conn: conn.run("SELECT rolpassword FROM pg_authid WHERE rolname = :r", r=role)
    )[0]
    owner.close()
    assert stored.startswith("SCRAM-SHA-256$4096:")
    assert "correct horse" not in stored

    def signs_in(password: str) -> bool:
        pool = Pool(dataclasses.replace(admin, user=role, password=password), max_size=1, timeout=5)
        try:
            return bool(pool.run(lambda conn: conn.run("SELECT 1"), transaction=False) == [[1]])
        except DatabaseUnavailable:
            return False
        finally:
            pool.close()

    assert signs_in("correct horse")
    assert not signs_in("wrong horse")


def test_the_verifier_follows_rfc_7677() -> None:
    # RFC 7677's example: user "user", password "pencil", this salt, 4096 iterations. Its
    # ServerSignature is HMAC(ServerKey, AuthMessage), so the ServerKey below is what makes it.
    verifier = scram_verifier("pencil", salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
    _, keys = verifier.split("$", 1)
    iterations_salt, stored_server = keys.split("$")
    assert iterations_salt == "4096:W22ZaJ0SNY7soEsUEjb6gQ=="

    auth_message = (
        b"n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    )
    server_key = base64.b64decode(stored_server.split(":")[1])
    signature = hmac.digest(server_key, auth_message, hashlib.sha256)
    assert base64.b64encode(signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


@pytest.mark.parametrize(
    ("secret", "password"),
    [
        pytest.param("plain", "plain", id="plain"),
        pytest.param('{"username": "dovvy_app", "password": "p@ss"}', "p@ss", id="rds-json"),
    ],
)
def test_the_password_is_read_as_given_or_from_rds_json(secret: str, password: str) -> None:
    assert password_of(secret) == password
