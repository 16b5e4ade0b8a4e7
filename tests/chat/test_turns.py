"""A chat turn end to end over HTTP: safety tiers, streaming resets, the turn deadline, the profile."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.config import Settings
from dovvy.gateway import create_gateway
from dovvy.providers.llm import LLM, FallbackChain, Generation, LLMError, Prompt
from dovvy.providers.llm.offline import LABEL, OfflineLLM
from dovvy.runtime import Runtime
from tests.chat.conftest import ask
from tests.conftest import BASE_URL
from tests.contract import ContractClient


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.strip().split("\n\n"):
        name_line, data_line = block.split("\n")
        events.append((name_line.removeprefix("event: "), json.loads(data_line.removeprefix("data: "))))
    return events


def _tokens_since_last_reset(events: list[tuple[str, dict[str, Any]]]) -> str:
    resets = [i for i, (name, _) in enumerate(events) if name == "reset"]
    start = resets[-1] + 1 if resets else 0
    return "".join(data["text"] for name, data in events[start:] if name == "token")


class _BreaksMidStream:
    """A hosted model that sends a few tokens, then fails."""

    name = "flaky"
    model = "flaky-1"

    def generate(self, prompt: Prompt) -> Generation:
        raise LLMError("HTTP 500")

    def stream(self, prompt: Prompt) -> Iterator[str]:
        yield from ["Half ", "an ", "answer ", "that ", "will ", "never ", "finish ", "because ", "the "] * 8
        raise LLMError("connection reset")


class _Sleeps:
    """A hosted model slower than the turn's deadline."""

    name = "slow"
    model = "slow-1"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.released = threading.Event()

    def generate(self, prompt: Prompt) -> Generation:
        self.released.wait(self.seconds)
        return Generation("too late", self.name, self.model)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        self.released.wait(self.seconds)
        yield "too late"


def test_the_chain_is_an_llm() -> None:
    chain: LLM = FallbackChain([OfflineLLM()])
    assert chain.name == "offline"


def test_a_provider_failing_mid_stream_sends_reset_then_the_fallback(
    chat_api: ContractClient, chat_runtime: Runtime
) -> None:
    chat_runtime.llm = FallbackChain([_BreaksMidStream(), OfflineLLM()])
    response = chat_api.client.post("/api/chat/stream", json={"message": "How do I clear a flooded mask?"})
    events = _events(response.text)
    names = [name for name, _ in events]
    assert "reset" in names
    assert names.index("token") < names.index("reset")  # the partial answer had been sent
    final = events[-1][1]
    assert names[-1] == "final"
    assert final["message"].startswith(LABEL)
    assert final["metadata"]["outcome"] == "fallback"
    assert _tokens_since_last_reset(events) == final["message"]


def test_streamed_tokens_add_up_to_the_final_message_with_a_caution_line(chat_api: ContractClient) -> None:
    response = chat_api.client.post("/api/chat/stream", json={"message": "is tingling after a dive normal?"})
    events = _events(response.text)
    final = events[-1][1]
    assert final["metadata"]["safety"]["tier"] == "caution"
    assert final["message"].startswith("_If this is happening now")
    assert _tokens_since_last_reset(events) == final["message"]


def test_the_turn_deadline_gives_the_offline_answer(settings: Settings, chat_database_url: str) -> None:
    from dovvy.config import Secret

    slow = _Sleeps(30)
    runtime = Runtime(settings.replace(database_url=Secret(chat_database_url), chat_deadline_seconds=0.5))
    runtime.llm = FallbackChain([slow])
    try:
        with TestClient(create_gateway(runtime), base_url=BASE_URL) as client:
            started = time.perf_counter()
            answer = client.post("/api/chat", json={"message": "How do I clear a flooded mask?"}).json()
            elapsed = time.perf_counter() - started
    finally:
        slow.released.set()
        runtime.close()
    assert elapsed < 5
    assert answer["message"].startswith(LABEL)
    assert answer["metadata"]["fallback_cause"] == "the turn ran out of time"


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("my knee hurts", id="body"),
        pytest.param("i got stung, it hurts a bit", id="sting"),
        pytest.param("is it normal to feel tired after diving", id="symptom-question"),
    ],
)
def test_a_message_about_a_body_or_symptom_is_never_declined(chat_api: ContractClient, message: str) -> None:
    answer = ask(chat_api, message)
    assert "can't help with that" not in answer["message"]
    assert answer["agentType"] != "general" or answer["sources"]
    assert answer["metadata"]["safety"]["tier"] == "caution"


def test_an_emergency_at_tioman_gives_malaysia_s_numbers(chat_api: ContractClient) -> None:
    answer = ask(chat_api, "we are diving tioman and my buddy is not breathing")
    assert answer["agentType"] == "emergency"
    assert "999" in answer["message"]
    assert "CPR" in answer["message"]


def test_an_emergency_uses_the_destination_in_the_profile(chat_api: ContractClient) -> None:
    session = chat_api.post("/api/sessions", json={"diverProfile": {"destination": "Tioman"}}).json()["id"]
    answer = ask(chat_api, "my arm went numb after the dive", session)
    assert "999" in answer["message"]


def test_interests_accumulate_across_turns_through_the_database(chat_api: ContractClient) -> None:
    first = ask(chat_api, "I love diving with mantas")
    session = first["sessionId"]
    ask(chat_api, "and I'm into wrecks too", session)
    profile = chat_api.get(f"/api/sessions/{session}").json()["diver_profile"]
    assert profile["interests"] == ["mantas", "wrecks"]


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        pytest.param({"destination": ["Tioman"]}, "destination", id="list-as-destination"),
        pytest.param({"interests": 5}, "interests", id="number-as-interests"),
        pytest.param({"group_size": True}, "group_size", id="boolean-as-number"),
        pytest.param({"logged_dives": "many"}, "logged_dives", id="text-as-number"),
    ],
)
def test_a_profile_with_wrong_types_is_a_422_naming_the_field(
    chat_api: ContractClient, profile: dict[str, Any], field: str
) -> None:
    for path, body in (
        ("/api/sessions", {"diverProfile": profile}),
        ("/api/chat", {"message": "hello", "diverProfile": profile}),
    ):
        response = chat_api.post(path, json=body)
        assert response.status_code == 422, path
        assert any(problem["field"].endswith(field) for problem in response.json()["detail"])


def test_a_certification_abbreviation_is_stored_by_its_catalogue_name(chat_api: ContractClient) -> None:
    response = chat_api.post("/api/sessions", json={"diverProfile": {"certification_level": "AOW"}})
    assert response.json()["diver_profile"]["certification_level"] == "Advanced Open Water"


def test_a_session_whose_stored_profile_predates_the_schema_still_works(
    chat_api: ContractClient, chat_runtime: Runtime
) -> None:
    session = chat_api.post("/api/sessions").json()["id"]
    chat_runtime.pool.run(
        lambda conn: conn.run(
            "UPDATE sessions SET diver_profile = CAST(:p AS jsonb) WHERE id = CAST(:id AS uuid)",
            p=json.dumps({"destination": ["raja-ampat"], "interests": "sharks", "group_size": "four"}),
            id=session,
        )
    )
    answer = ask(chat_api, "What is the best time to see mantas?", session)
    assert answer["sessionId"] == session
    answer = ask(chat_api, "I like mantas", session)
    assert answer["sessionId"] == session


def test_a_question_about_a_symptom_is_answered_from_the_safety_articles(chat_api: ContractClient) -> None:
    answer = ask(chat_api, "is tingling after a dive normal?")
    assert answer["metadata"]["outcome"] == "answered"
    assert answer["sources"][0]["path"] == "safety/decompression-sickness.md"
    assert answer["message"].startswith("_If this is happening now")


def test_a_sign_reported_after_the_dive_was_named_is_an_emergency(chat_api: ContractClient) -> None:
    """The safety check reads a reply that names a sign with the diver's message before it: the
    dive said in one turn and the shoulder in the next is decompression illness, not a caution."""
    first = ask(chat_api, "we came up from a 30 m dive an hour ago, quick question about logging it")
    assert first["agentType"] != "emergency"
    second = ask(chat_api, "my shoulder hurts and my fingers tingle", first["sessionId"])
    assert second["agentType"] == "emergency"
    # The same words with no dive before them are a caution; thanks after an emergency are no new one.
    assert ask(chat_api, "my shoulder hurts and my fingers tingle")["agentType"] != "emergency"
    assert ask(chat_api, "thanks, he is fine now", second["sessionId"])["agentType"] != "emergency"
