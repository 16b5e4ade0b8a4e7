"""The real groq and google-genai clients against a local server speaking their wire formats."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from dovvy.config import Secret, Settings
from dovvy.passages import Passage
from dovvy.providers import Connection
from dovvy.providers.llm import FallbackChain, LLMError, Message, Prompt, create_llm
from dovvy.providers.llm.gemini import GeminiLLM
from dovvy.providers.llm.groq import GroqLLM
from dovvy.providers.llm.offline import LABEL, OfflineLLM
from tests.fake_provider import FakeProvider, fake_provider, groq_stream

GROQ_PATH = "/openai/v1/chat/completions"
GEMINI_SUFFIX = ":generateContent"

PASSAGE = Passage(
    content_path="safety/flying-after-diving.md",
    title="Flying After Diving",
    heading="Recommended minimum waits",
    text="Wait at least 12 hours after a single dive and 18 hours after several days of diving.",
    score=0.1,
    similarity=0.6,
    vector_rank=1,
    keyword_rank=1,
    metadata={},
)
PROMPT = Prompt(
    system="SYSTEM RULES",
    messages=(
        Message("user", "earlier question"),
        Message("assistant", "earlier answer"),
        Message("user", "when can I fly?"),
    ),
    question="when can I fly?",
    passages=(PASSAGE,),
    agent="safety",
)


def groq_completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1764090000,
        "model": "llama-3.3-70b-versatile",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def gemini_response(text: str) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
        "modelVersion": "gemini-2.5-flash",
    }


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def groq(server: FakeProvider, timeout: float = 5.0, retries: int = 2) -> GroqLLM:
    return GroqLLM(
        "llama-3.3-70b-versatile", Connection(Secret("gsk_test"), server.base_url, timeout, retries)
    )


def gemini(server: FakeProvider, timeout: float = 5.0, retries: int = 2) -> GeminiLLM:
    return GeminiLLM("gemini-2.5-flash", Connection(Secret("g-test"), server.base_url, timeout, retries))


# --- Groq ---------------------------------------------------------------------------------------


def test_groq_success_sends_system_history_and_question(server: FakeProvider) -> None:
    server.queue(GROQ_PATH, 200, groq_completion("Wait 18 hours [1]."))
    result = groq(server).generate(PROMPT)
    assert (result.text, result.provider) == ("Wait 18 hours [1].", "groq")
    [request] = server.hits(GROQ_PATH)
    assert request.headers["Authorization"] == "Bearer gsk_test"
    body = request.body
    assert body["model"] == "llama-3.3-70b-versatile"
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    assert body["messages"][0]["content"] == "SYSTEM RULES"


def test_groq_retries_a_429_honouring_retry_after(server: FakeProvider) -> None:
    server.queue(
        GROQ_PATH, 429, {"error": {"message": "rate limited", "type": "tokens"}}, {"retry-after": "0.2"}
    )
    server.queue(GROQ_PATH, 200, groq_completion("ok"))
    started = time.perf_counter()
    assert groq(server).generate(PROMPT).text == "ok"
    assert len(server.hits(GROQ_PATH)) == 2
    assert time.perf_counter() - started >= 0.2


def test_groq_timeout_is_an_llm_error(server: FakeProvider) -> None:
    for _ in range(3):
        server.queue(GROQ_PATH, 200, groq_completion("too late"), delay=1.0)
    with pytest.raises(LLMError):
        groq(server, timeout=0.3, retries=0).generate(PROMPT)


def test_groq_streams_tokens(server: FakeProvider) -> None:
    body = groq_stream(("Wait ", "18 ", "hours."))
    server.queue(GROQ_PATH, 200, body, {"content-type": "text/event-stream"})
    assert "".join(groq(server).stream(PROMPT)) == "Wait 18 hours."


# --- Gemini -------------------------------------------------------------------------------------


def test_gemini_success_with_system_instruction_and_thinking_off(server: FakeProvider) -> None:
    server.queue(GEMINI_SUFFIX, 200, gemini_response("Wait 18 hours [1]."))
    result = gemini(server).generate(PROMPT)
    assert (result.text, result.provider, result.model) == (
        "Wait 18 hours [1].",
        "gemini",
        "gemini-2.5-flash",
    )
    [request] = server.hits(GEMINI_SUFFIX)
    assert request.path.split("?")[0].endswith("/models/gemini-2.5-flash:generateContent")
    body = request.body
    assert body["systemInstruction"]["parts"][0]["text"] == "SYSTEM RULES"
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    thinking = body["generationConfig"]["thinkingConfig"]
    # Protobuf JSON accepts either spelling; this SDK release sends the snake_case one.
    assert thinking.get("thinkingBudget", thinking.get("thinking_budget")) == 0


def test_gemini_retries_429_then_succeeds(server: FakeProvider) -> None:
    server.queue(
        GEMINI_SUFFIX, 429, {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}
    )
    server.queue(GEMINI_SUFFIX, 200, gemini_response("ok"))
    assert gemini(server).generate(PROMPT).text == "ok"
    assert len(server.hits(GEMINI_SUFFIX)) == 2


def test_gemini_timeout_is_an_llm_error(server: FakeProvider) -> None:
    for _ in range(3):
        server.queue(GEMINI_SUFFIX, 200, gemini_response("late"), delay=1.0)
    slow = gemini(server, timeout=0.3, retries=0)
    with pytest.raises(LLMError):
        slow.generate(PROMPT)


# --- Fallback -----------------------------------------------------------------------------------


def test_groq_500_falls_back_to_gemini(server: FakeProvider) -> None:
    for _ in range(3):
        server.queue(GROQ_PATH, 500, {"error": {"message": "boom"}})
    server.queue(GEMINI_SUFFIX, 200, gemini_response("from gemini"))
    chain = FallbackChain([groq(server), gemini(server), OfflineLLM()])
    result = chain.generate(PROMPT)
    assert (result.provider, result.text) == ("gemini", "from gemini")
    assert len(server.hits(GROQ_PATH)) == 3  # first try plus two retries


def test_all_hosted_providers_down_falls_back_to_the_offline_composer(server: FakeProvider) -> None:
    for _ in range(3):
        server.queue(GROQ_PATH, 503, {"error": {"message": "down"}})
        server.queue(GEMINI_SUFFIX, 503, {"error": {"code": 503, "message": "down", "status": "UNAVAILABLE"}})
    result = FallbackChain([groq(server), gemini(server), OfflineLLM()]).generate(PROMPT)
    assert result.provider == "offline"
    assert result.text.startswith(LABEL)
    assert "18 hours" in result.text


def test_factory_orders_providers_and_always_ends_offline() -> None:
    assert [p.name for p in create_llm(Settings()).providers] == ["offline"]
    both = Settings(groq_api_key=Secret("a"), gemini_api_key=Secret("b"))
    assert [p.name for p in create_llm(both).providers] == ["groq", "gemini", "offline"]
    gemini_first = both.replace(llm_providers=("gemini", "groq"))
    assert [p.name for p in create_llm(gemini_first).providers] == ["gemini", "groq", "offline"]


def test_streaming_falls_back_before_the_first_token(server: FakeProvider) -> None:
    for _ in range(3):
        server.queue(GROQ_PATH, 503, {"error": {"message": "down"}})
    chain = FallbackChain([groq(server), OfflineLLM()])
    pieces = list(chain.stream_from(PROMPT))
    assert "".join(token for token, _ in pieces).startswith(LABEL)
    assert {meta.provider for _, meta in pieces} == {"offline"}
