"""POST /api/chat and /api/chat/stream against the real database, offline providers."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.chat.stages.routing import KNOWN_TO_THE_LIBRARY
from dovvy.gateway import create_gateway
from dovvy.providers.llm.offline import LABEL
from dovvy.runtime import Runtime
from tests.chat.conftest import ask
from tests.contract import ContractClient


def test_answer_has_sources_metadata_and_a_new_session(chat_api: ContractClient) -> None:
    answer = ask(chat_api, "How long should I wait to fly after diving?")
    assert answer["agentType"] == "safety"
    assert answer["sources"][0]["path"] == "safety/flying-after-diving.md"
    assert "18 hours" in answer["message"]
    assert "dive-medicine physician" in answer["message"]  # safety answers end with the disclaimer
    meta = answer["metadata"]
    assert meta["citations"][0] == "safety/flying-after-diving.md"
    assert meta["route"]["agent"] == "safety"
    assert meta["provider"] == "offline"
    assert set(meta["latency_ms"]) >= {"session", "embed", "retrieve", "generate", "save"}
    assert meta["session_created"] is True
    uuid.UUID(answer["sessionId"])


def test_conversation_is_kept_with_both_sides(chat_api: ContractClient) -> None:
    first = ask(chat_api, "What is the maximum depth for Open Water divers?")
    session_id = first["sessionId"]
    second = ask(chat_api, "and for nitrox?", session_id)
    assert second["sessionId"] == session_id
    assert second["metadata"]["session_created"] is False
    assert second["metadata"]["follow_up_of_previous"] is True
    assert "enriched-air-nitrox.md" in " ".join(second["metadata"]["citations"])
    history = chat_api.get(f"/api/sessions/{session_id}").json()["conversation_history"]
    assert [turn["role"] for turn in history] == ["user", "assistant", "user", "assistant"]
    assert history[2]["content"] == "and for nitrox?"
    assert history[3]["content"] == second["message"]


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_unknown_session_is_404_and_an_expired_one_410(
    chat_api: ContractClient, chat_runtime: Runtime, path: str
) -> None:
    unknown = chat_api.post(path, json={"message": "What is nitrox?", "sessionId": str(uuid.uuid4())})
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Session not found", "code": "SESSION_NOT_FOUND"}
    session_id = ask(chat_api, "What is nitrox?")["sessionId"]
    chat_runtime.pool.run(
        lambda conn: conn.run(
            "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = CAST(:id AS uuid)",
            id=session_id,
        )
    )
    expired = chat_api.post(path, json={"message": "and for nitrox?", "sessionId": session_id})
    assert expired.status_code == 410
    assert expired.json()["code"] == "SESSION_EXPIRED"
    # Nothing was added to the expired conversation.
    [[turns]] = chat_runtime.pool.run(
        lambda conn: conn.run(
            "SELECT jsonb_array_length(conversation_history) FROM sessions WHERE id = CAST(:id AS uuid)",
            id=session_id,
        )
    )
    assert turns == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"message": ""}, "message", id="empty"),
        pytest.param({"message": "   \n "}, "message", id="blank"),
        pytest.param({"message": "x" * 2001}, "message", id="too-long"),
        pytest.param({}, "message", id="missing"),
        pytest.param({"message": 42}, "message", id="not-text"),
        pytest.param({"message": "hi", "sessionId": "nope"}, "sessionId", id="bad-session"),
        pytest.param({"message": "hi", "extra": True}, "extra", id="unknown-field"),
    ],
)
def test_bad_requests_are_422(chat_api: ContractClient, body: dict[str, Any], field: str) -> None:
    response = chat_api.post("/api/chat", json=body)
    assert response.status_code == 422
    assert field in [item["field"] for item in response.json()["detail"]]


def test_message_at_2000_characters_after_trimming_is_accepted(chat_api: ContractClient) -> None:
    response = chat_api.post("/api/chat", json={"message": "  " + "a" * 2000 + "  "})
    assert response.status_code == 200


def test_emergency_gets_the_protocol_without_a_model(chat_api: ContractClient, chat_runtime: Runtime) -> None:
    class Exploding:
        name = model = "exploding"

        def generate(self, prompt: Any) -> Any:
            raise AssertionError("no model on the emergency path")

        def stream(self, prompt: Any) -> Any:
            raise AssertionError("no model on the emergency path")

    from dovvy.providers.llm import FallbackChain

    chat_runtime.llm = FallbackChain([Exploding()])
    answer = ask(chat_api, "My buddy has numbness in his arm since we surfaced in Sharm, help")
    assert answer["agentType"] == "emergency"
    assert "100% oxygen" in answer["message"]
    assert "123" in answer["message"]  # Egypt's ambulance number
    assert answer["metadata"]["provider"] == "none"
    assert answer["metadata"]["route"]["agent"] == "emergency"


def test_informational_symptom_question_is_not_an_emergency(chat_api: ContractClient) -> None:
    answer = ask(chat_api, "What are the symptoms of decompression sickness?")
    assert answer["agentType"] == "safety"
    assert answer["sources"][0]["path"] == "safety/decompression-sickness.md"


def test_off_topic_is_declined(chat_api: ContractClient) -> None:
    answer = ask(chat_api, "What is the capital of France?")
    assert answer["agentType"] == "general"
    assert "can't help with that" in answer["message"]
    assert answer["sources"] == []


def test_a_question_without_a_diving_word_is_answered_when_an_article_is_about_it(
    chat_api: ContractClient,
) -> None:
    answer = ask(chat_api, "what is the rule of thirds for gas")
    assert "can't help with that" not in answer["message"]
    assert answer["metadata"]["route"]["reason"] == KNOWN_TO_THE_LIBRARY
    assert "safety/out-of-air-emergencies.md" in [source["path"] for source in answer["sources"]]


@pytest.mark.parametrize(
    "message", ["best running shoes for flat feet", "What's a good name for a goldfish?"]
)
def test_other_subjects_are_declined_even_when_some_article_shares_their_words(
    chat_api: ContractClient, message: str
) -> None:
    answer = ask(chat_api, message)
    assert "can't help with that" in answer["message"]
    assert answer["sources"] == []


def test_nothing_relevant_says_so_instead_of_inventing(chat_api: ContractClient) -> None:
    # Nothing in the knowledge base mentions spearfishing, licences or Greece. (Ice diving in
    # Siberia, asked here before, is now answered from the drysuit article's cold lakes: the
    # calibrated rule keeps more answerable questions and declines fewer, docs/retrieval.md.)
    answer = ask(chat_api, "How do I get a spearfishing licence in Greece?")
    assert "couldn't find that" in answer["message"]
    assert answer["sources"] == []


def test_older_beginner_is_answered_from_the_medical_article(chat_api: ContractClient) -> None:
    # The retrieval issue's own example: told the knowledge base lacked it until an article said so.
    answer = ask(chat_api, "im 62 and never dived, is it too late to learn?")
    assert "couldn't find that" not in answer["message"]
    assert answer["sources"][0]["path"] == "safety/medical-fitness-to-dive.md"


TRY_DIVING = "certifications/try-diving-and-junior-programmes.md"


@pytest.mark.parametrize(
    ("message", "article"),
    [
        ("aow how many dives", "certifications/advanced-open-water.md"),
        ("whats a cesa and when do u do one", "safety/out-of-air-emergencies.md"),
        # "stands" and "again" only frame the question (text.SHARED_DIVING_WORDS): they held half
        # of its term weight, and the article holding "bwraf" fell short of the relevance rule.
        ("bwraf stands for what again", "skills/pre-dive-safety-check.md"),
        # A programme's name, which the embedding barely places (cosine 0.09 and 0.13 with the article
        # holding a third and a quarter of their term weight): told nothing was found before.
        ("whats the diff between discover scuba and actually getting certified", TRY_DIVING),
        ("can my 9 yr old try scuba with us on holiday?", TRY_DIVING),
    ],
)
def test_a_question_in_an_acronym_and_common_words_is_answered(
    chat_api: ContractClient, message: str, article: str
) -> None:
    # The embedding of such a question is little more than the acronym's; the article holds much
    # of its term weight (relevance.ENOUGH_OF_THE_QUESTION).
    assert article in [s["path"] for s in ask(chat_api, message)["sources"]]


def test_trip_answer_flags_sites_beyond_the_divers_certification(chat_api: ContractClient) -> None:
    session = ask(chat_api, "I'm Open Water certified with 20 dives")["sessionId"]
    answer = ask(chat_api, "Tell me about diving the Thistlegorm wreck in the Red Sea", session)
    assert answer["agentType"] == "trip"
    assert "SS Thistlegorm reaches 30 m, beyond your certification (18 m)" in answer["message"]
    profile = chat_api.get(f"/api/sessions/{session}").json()["diver_profile"]
    assert profile["certification_level"] == "Open Water"
    assert profile["logged_dives"] == 20


def test_profile_is_extracted_and_lead_prefilled(chat_api: ContractClient) -> None:
    session = ask(chat_api, "I'm PADI Advanced Open Water with 60 dives and love mantas")["sessionId"]
    answer = ask(chat_api, "We are 3 and want to book a liveaboard trip to Raja Ampat in November", session)
    assert answer["leadSuggestion"] == {
        "type": "trip",
        "prefill": {
            "destination": "Raja Ampat",
            "travel_dates": "in november",
            "group_size": 3,
            "message": "Certification: Advanced Open Water",
        },
    }
    profile = chat_api.get(f"/api/sessions/{session}").json()["diver_profile"]
    assert profile["certification_agency"] == "PADI"
    assert profile["interests"] == ["mantas"]


def test_course_booking_suggests_a_training_lead(chat_api: ContractClient) -> None:
    answer = ask(chat_api, "I'd like to sign up for the Rescue Diver course")
    assert answer["leadSuggestion"]["type"] == "training"
    assert answer["leadSuggestion"]["prefill"]["interested_certification"] == "Rescue Diver"


def test_two_messages_at_once_on_one_session_both_land(chat_runtime: Runtime) -> None:
    with TestClient(create_gateway(chat_runtime)) as client:
        session = client.post("/api/sessions").json()["id"]
        messages = ["What is nitrox?", "How do I equalize my ears?"]

        def send(message: str) -> int:
            return client.post("/api/chat", json={"message": message, "sessionId": session}).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            assert list(pool.map(send, messages)) == [200, 200]
        history = client.get(f"/api/sessions/{session}").json()["conversation_history"]
    assert len(history) == 4
    users = [turn["content"] for turn in history if turn["role"] == "user"]
    assert sorted(users) == sorted(messages)
    # Each question is followed directly by its own answer.
    for index in (0, 2):
        assert history[index]["role"] == "user"
        assert history[index + 1]["role"] == "assistant"


def test_stream_sends_route_citations_tokens_and_final(chat_api: ContractClient) -> None:
    response = chat_api.client.post("/api/chat/stream", json={"message": "How do I clear a flooded mask?"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in response.text.strip().split("\n\n"):
        name_line, data_line = block.split("\n")
        events.append((name_line.removeprefix("event: "), json.loads(data_line.removeprefix("data: "))))
    names = [name for name, _ in events]
    assert names[0] == "route"
    assert "citation" in names
    assert names[-1] == "final"
    tokens = "".join(data["text"] for name, data in events if name == "token")
    final = events[-1][1]
    assert tokens.strip() == final["message"].strip()
    assert final["agentType"] == "general"


def test_stream_validates_like_the_json_endpoint(chat_api: ContractClient) -> None:
    response = chat_api.post("/api/chat/stream", json={"message": ""})
    assert response.status_code == 422


def test_when_every_provider_fails_the_answer_still_lists_the_sources(
    chat_api: ContractClient, chat_runtime: Runtime
) -> None:
    from dovvy.providers.llm import FallbackChain, LLMError

    class Down:
        name = model = "down"

        def generate(self, prompt: Any) -> Any:
            raise LLMError("HTTP 503")

        def stream(self, prompt: Any) -> Any:
            raise LLMError("HTTP 503")

    chat_runtime.llm = FallbackChain([Down()])
    answer = ask(chat_api, "How long should I wait to fly after diving?")
    assert answer["message"].startswith(LABEL)  # the offline composer, from the same passages
    assert "18 hours" in answer["message"]
    assert answer["sources"][0]["path"] == "safety/flying-after-diving.md"
    assert answer["metadata"]["provider"] == "offline"
    assert answer["metadata"]["outcome"] == "fallback"
    assert answer["metadata"]["fallback_cause"] == "down: HTTP 503"

    streamed = chat_api.client.post(
        "/api/chat/stream", json={"message": "How long should I wait to fly after diving?"}
    )
    assert "event: error" not in streamed.text
    assert streamed.text.rstrip().split("\n\n")[-1].startswith("event: final")


def test_chat_function_on_lambda_with_an_http_api_event(
    chat_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.events import LambdaContext, load_event
    from tests.test_entrypoints import load_entry

    module = load_entry("chat", monkeypatch, chat_database_url)
    event = load_event("apigw_http_v2_create_session.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/chat"
    event["body"] = json.dumps({"message": "How long should I wait to fly after diving?"})
    response = module.handler(event, LambdaContext(function_name="dovvy-chat"))
    module.app.state.runtime.close()
    assert response["statusCode"] == 200
    answer = json.loads(response["body"])
    assert answer["agentType"] == "safety"
    assert answer["sources"][0]["path"] == "safety/flying-after-diving.md"
