"""Chat fixtures: a runtime whose knowledge base holds the bundled content."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret
from dovvy.db import migrate
from dovvy.db.pool import Pool
from dovvy.gateway import create_gateway
from dovvy.knowledge.ingest import Ingestor
from dovvy.providers.embeddings.offline import OfflineEmbedder
from dovvy.runtime import Runtime
from dovvy.seed import apply, load
from tests.conftest import BASE_URL, ROOT, create_database, url_for
from tests.contract import Contract, ContractClient

_KB_DATABASES: dict[str, str] = {}


def knowledge_base_database(server_url: str) -> str:
    """Create (once per server) a database with the bundled content and reference data."""
    if server_url in _KB_DATABASES:
        return _KB_DATABASES[server_url]
    params = create_database(server_url, "chat_kb")
    migrate.upgrade(params)
    pool = Pool(params, max_size=1)
    try:
        pool.run(lambda conn: apply(conn, load(DESTINATIONS_FILE)))
        Ingestor(pool, OfflineEmbedder()).ingest_paths([ROOT / "content"])
    finally:
        pool.close()
    _KB_DATABASES[server_url] = url_for(params)
    return _KB_DATABASES[server_url]


@pytest.fixture
def chat_runtime(settings: object, chat_database_url: str) -> Iterator[Runtime]:
    from dovvy.config import Settings

    assert isinstance(settings, Settings)
    runtime = Runtime(settings.replace(database_url=Secret(chat_database_url)))
    yield runtime
    runtime.close()


@pytest.fixture
def chat_api(chat_runtime: Runtime, contract: Contract) -> Iterator[ContractClient]:
    with TestClient(create_gateway(chat_runtime), base_url=BASE_URL, raise_server_exceptions=False) as client:
        yield ContractClient(client, contract)


def ask(api: ContractClient, message: str, session_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """POST /api/chat, expecting 200; extra keys (sessionState, diverProfile...) go in the body."""
    body: dict[str, Any] = {"message": message, **extra}
    if session_id:
        body["sessionId"] = session_id
    response = api.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer
