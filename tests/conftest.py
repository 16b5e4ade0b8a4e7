"""Shared fixtures: one embedded Postgres per test run, a migrated database, and clients on it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dovvy.bootstrap import prepare
from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from dovvy.db.embedded import EmbeddedPostgres
from dovvy.db.pool import Pool
from dovvy.db.url import ConnectParams, parse_database_url
from dovvy.gateway import create_gateway
from dovvy.runtime import Runtime
from tests.contract import Contract, ContractClient

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = "http://127.0.0.1:8080"  # the server openapi.yaml names, so the contract matches paths


def newcomer_environment(**given: str) -> dict[str, str]:
    """This process's environment as a newcomer's shell would have it: no database, provider, data
    folder or limit settings of ours (a developer's or CI's would leak into the command), plus `given`."""
    ours = ("DATABASE_", "GEMINI", "GROQ", "LLM_", "EMBEDDING", "DOVVY_", "RATE_")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)} | given


# What `make test-fast` leaves out (`-m "not slow"`): whatever builds the bundles or stands on them,
# applies or scans Terraform, drives a browser, fuzzes the contract, or runs commands from a new data
# folder. `make test` runs everything.
_SLOW_FIXTURES = {"bundles", "applied", "second_build"}
# What each slow fixture has `tests.ahead` start as soon as a collected test asks for it.
_AHEAD = {"bundles": ("bundles",), "second_build": ("second build",), "applied": ("bundles", "aws applied")}
_SLOW_FILES = {
    "test_browser.py",
    "test_docs.py",
    "test_infra.py",
    "test_schemathesis.py",
    "test_terraform_aws.py",
    "test_terraform_gcp_schema.py",
    "test_gcp_rules.py",
    "test_migrate_function.py",
    "test_streaming_runtime.py",
    "test_preflight.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.name in _SLOW_FILES or fixtures & _SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the selection is final (after -m and -k): start what its slow tests will need."""
    from tests import ahead

    needed = {f for item in session.items for f in getattr(item, "fixturenames", ()) if f in _AHEAD}
    ahead.start(*dict.fromkeys(name for fixture in sorted(needed) for name in _AHEAD[fixture]))


def pytest_sessionfinish() -> None:
    from tests import ahead

    ahead.finish()


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedPostgres:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"))
    server.start()
    # Stopped at interpreter exit by pgserver itself (cleanup_mode "stop").
    return server


@pytest.fixture(scope="session")
def server_url(embedded: EmbeddedPostgres) -> str:
    return embedded.start()


def create_database(server_url: str, name: str) -> ConnectParams:
    admin = Pool(parse_database_url(server_url), max_size=1)
    try:
        admin.run(lambda conn: conn.run(f'CREATE DATABASE "{name}"'), transaction=False)
    finally:
        admin.close()
    params = parse_database_url(server_url)
    return ConnectParams(user=params.user, database=name, unix_sock=params.unix_sock)


def url_for(params: ConnectParams) -> str:
    assert params.unix_sock is not None
    return f"postgresql://{params.user}@/{params.database}?host={params.unix_sock.rsplit('/', 1)[0]}"


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[EmbeddedPostgres, str]]:
    """A server of this test's own, so stopping it (or reading its log) disturbs no other test."""
    server = EmbeddedPostgres(tmp_path)
    url = server.start()
    yield server, url
    server.stop()


@pytest.fixture
def fresh_database(server_url: str) -> ConnectParams:
    """An empty database of its own, for tests that migrate or break things."""
    return create_database(server_url, f"fresh_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def database_url(server_url: str) -> str:
    params = create_database(server_url, "dovvy_test")
    url = url_for(params)
    prepare(Settings(database_url=Secret(url), seed_file=DESTINATIONS_FILE))
    return url


@pytest.fixture(scope="session")
def chat_database_url(server_url: str) -> str:
    """The bundled knowledge base and reference data in a database of their own."""
    from tests.chat.conftest import knowledge_base_database

    return knowledge_base_database(server_url)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Limits are tested on their own (tests/test_limits.py); elsewhere they would count every call.
    return Settings(
        database_url=Secret(database_url),
        seed_file=DESTINATIONS_FILE,
        content_dir=ROOT / "content",
        rate_limits=False,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime(settings)
    runtime.pool.run(lambda conn: conn.run("TRUNCATE sessions, leads CASCADE"), transaction=False)
    yield runtime
    runtime.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_gateway(runtime), base_url=BASE_URL, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's AWS, with throwaway credentials so nothing can reach a real account."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract(ROOT / "openapi.yaml")


@pytest.fixture
def api(client: TestClient, contract: Contract) -> ContractClient:
    """A client whose every exchange is checked against openapi.yaml."""
    return ContractClient(client, contract)


@pytest.fixture(scope="session")
def bundles() -> Path:
    """Every function's bundles, built once per run as `make package` builds them (started ahead)."""
    from tests import ahead

    built: Path = ahead.result("bundles")
    return built
