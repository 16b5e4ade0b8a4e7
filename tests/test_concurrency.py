"""Many requests at once against the real database: nothing lost, nothing doubled, nothing mixed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from starlette.testclient import TestClient

from dovvy.config import Secret
from dovvy.gateway import create_gateway
from dovvy.runtime import Runtime
from tests.conftest import BASE_URL


def test_fifty_concurrent_messages_on_one_session_keep_all_hundred_turns_paired(
    runtime: Runtime, chat_database_url: str
) -> None:
    chat = Runtime(runtime.settings.replace(database_url=Secret(chat_database_url), db_pool_size=8))
    try:
        with TestClient(create_gateway(chat), base_url=BASE_URL) as client:
            session_id = client.post("/api/sessions", json={}).json()["id"]

            def send(n: int) -> str:
                response = client.post(
                    "/api/chat",
                    json={"message": f"question {n}: how do I clear my mask?", "sessionId": session_id},
                )
                assert response.status_code == 200, response.text
                answer: str = response.json()["message"]
                return answer

            with ThreadPoolExecutor(max_workers=16) as pool:
                answers = list(pool.map(send, range(50)))
            history = client.get(f"/api/sessions/{session_id}").json()["conversation_history"]
    finally:
        chat.close()
    assert len(history) == 100
    questions = {f"question {n}: how do I clear my mask?" for n in range(50)}
    for user, assistant in zip(history[::2], history[1::2], strict=True):
        assert user["role"] == "user"
        assert assistant["role"] == "assistant"
        assert user["content"] in questions
        questions.discard(user["content"])
    assert not questions
    assert len(answers) == 50


def test_two_hundred_concurrent_leads_over_a_hundred_keys_store_a_hundred(runtime: Runtime) -> None:
    leads = Runtime(runtime.settings.replace(db_pool_size=8))
    try:
        with TestClient(create_gateway(leads), base_url=BASE_URL) as client:

            def send(n: int) -> str:
                key = n % 100
                body = {"type": "trip", "data": {"name": "Sam", "email": f"sam{key}@example.com"}}
                response = client.post("/api/leads", json=body, headers={"Idempotency-Key": f"form-{key}"})
                assert response.status_code == 201, response.text
                lead_id: str = response.json()["lead_id"]
                return lead_id

            with ThreadPoolExecutor(max_workers=16) as pool:
                ids = set(pool.map(send, range(200)))
        [[stored]] = leads.pool.run(lambda conn: conn.run("SELECT count(*) FROM leads"), transaction=False)
    finally:
        leads.close()
    assert len(ids) == 100
    assert stored == 100
