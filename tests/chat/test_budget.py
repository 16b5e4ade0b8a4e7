"""The daily hosted-model budget: once spent, a polite offline answer (agentType "system"), never an error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.chat.budget import NOTICE
from dovvy.config import Secret, Settings
from dovvy.gateway import create_gateway
from dovvy.providers.llm import FallbackChain, Generation, Prompt
from dovvy.providers.llm.offline import OfflineLLM
from dovvy.runtime import Runtime
from tests.conftest import BASE_URL


class _Hosted:
    """A hosted model that always answers (its cost is what the budget counts)."""

    name = "hosted"
    model = "hosted-1"

    def __init__(self) -> None:
        self.calls = 0

    def generate(self, prompt: Prompt) -> Generation:
        self.calls += 1
        return Generation("A hosted answer about masks.", self.name, self.model)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        self.calls += 1
        yield "A hosted answer about masks."


def budgeted(settings: Settings, chat_database_url: str, **limits: int) -> tuple[Runtime, _Hosted]:
    runtime = Runtime(settings.replace(database_url=Secret(chat_database_url), llm_routing=False, **limits))
    runtime.pool.run(lambda conn: conn.run("TRUNCATE rate_counters"))
    hosted = _Hosted()
    runtime.llm = FallbackChain([hosted, OfflineLLM()])
    return runtime, hosted


def ask(client: TestClient, message: str, session_id: str | None = None, path: str = "/api/chat") -> Any:
    body = {"message": message, **({"sessionId": session_id} if session_id else {})}
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    if path.endswith("stream"):
        return [line for line in response.text.splitlines() if line.startswith("data:")]
    return response.json()


def test_a_session_past_its_budget_gets_the_offline_answer(
    settings: Settings, chat_database_url: str
) -> None:
    runtime, hosted = budgeted(settings, chat_database_url, model_tokens_per_session_day=50)
    try:
        with TestClient(create_gateway(runtime), base_url=BASE_URL) as client:
            first = ask(client, "How do I clear a flooded mask?")
            assert first["metadata"]["provider"] == "hosted"
            second = ask(client, "and how do I stop it fogging?", first["sessionId"])
            other = ask(client, "How do I clear a flooded mask?")
    finally:
        runtime.close()
    assert second["agentType"] == "system"
    assert second["message"].startswith(NOTICE)
    assert second["metadata"]["outcome"] == "overbudget"
    assert second["metadata"]["model"] == "budget: session"
    assert other["metadata"]["provider"] == "hosted"  # another session still has its budget
    assert hosted.calls == 2


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_the_daily_budget_covers_everyone(settings: Settings, chat_database_url: str, path: str) -> None:
    runtime, hosted = budgeted(settings, chat_database_url, model_tokens_per_day=50)
    try:
        with TestClient(create_gateway(runtime), base_url=BASE_URL) as client:
            ask(client, "How do I clear a flooded mask?", path=path)
            later = ask(client, "How do I clear a flooded mask?", path=path)
    finally:
        runtime.close()
    assert hosted.calls == 1
    assert NOTICE in "".join(later) if isinstance(later, list) else later["message"].startswith(NOTICE)


def test_the_offline_composer_is_never_counted(settings: Settings, chat_database_url: str) -> None:
    runtime = Runtime(settings.replace(database_url=Secret(chat_database_url), model_tokens_per_day=1))
    runtime.pool.run(lambda conn: conn.run("TRUNCATE rate_counters"))
    try:
        with TestClient(create_gateway(runtime), base_url=BASE_URL) as client:
            answers = [ask(client, "How do I clear a flooded mask?") for _ in range(2)]
    finally:
        runtime.close()
    assert [a["agentType"] for a in answers] == ["general", "general"]


def test_each_charge_logs_the_share_of_the_day_spent_and_nothing_personal(
    settings: Settings, chat_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    runtime, hosted = budgeted(settings, chat_database_url, model_tokens_per_day=10_000)
    with caplog.at_level("INFO", logger="dovvy.chat.budget"), TestClient(create_gateway(runtime)) as client:
        first = ask(client, "which mask fits a narrow face, MARK-7f3a?")
        ask(client, "and a second mask question", first["sessionId"])
    runtime.close()
    charges = [r for r in caplog.records if r.getMessage() == "model tokens charged"]
    assert len(charges) == hosted.calls == 2
    fractions = [vars(r)["budget_used_fraction"] for r in charges]
    tokens = [vars(r)["tokens"] for r in charges]
    assert 0 < fractions[0] < fractions[1] < 1
    assert fractions[1] == pytest.approx(sum(tokens) / 10_000, abs=1e-4)
    assert "MARK-7f3a" not in caplog.text
    assert first["sessionId"] not in caplog.text
