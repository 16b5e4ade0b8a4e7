"""The Telegram function end to end: real Update payloads posted to its webhook, a fake Bot API
that parses HTML as Telegram does and records every call, and the knowledge base's real database."""

from __future__ import annotations

import contextlib
import json
import logging
import random
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dovvy.config import Secret, Settings
from dovvy.function_apps import create_function_app
from dovvy.providers.llm import FallbackChain, Generation, Prompt
from dovvy.runtime import Runtime
from tests.fake_telegram import TOKEN, FakeTelegram, fake_telegram, parsed_text
from tests.webhook_server import webhook_server

SECRET = "webhook-secret-for-tests"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with fake_telegram() as running:
        yield running


@pytest.fixture
def runtime(settings: Settings, chat_database_url: str, fake: FakeTelegram) -> Iterator[Runtime]:
    runtime = Runtime(
        settings.replace(
            database_url=Secret(chat_database_url),
            telegram_bot_token=Secret(TOKEN),
            telegram_webhook_secret=Secret(SECRET),
            telegram_api_base_url=fake.base_url,
        )
    )
    yield runtime
    runtime.close()


@pytest.fixture
def webhook(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_function_app("telegram", runtime), raise_server_exceptions=False) as client:
        yield client


class Chat:
    """One private chat with the bot, as Telegram would send its updates."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.id = random.randint(10**8, 10**9)
        self.user = {
            "id": self.id,
            "is_bot": False,
            "first_name": "Ana",
            "username": "ana_dives",
            "language_code": "en",
        }
        self.next_update = random.randint(10**6, 10**9)

    def update(self, **content: Any) -> dict[str, Any]:
        self.next_update += 1
        return {"update_id": self.next_update, **content}

    def message(self, text: str | None = None, *, chat_type: str = "private", **extra: Any) -> dict[str, Any]:
        chat = {"id": self.id, "first_name": "Ana", "username": "ana_dives", "type": chat_type}
        body: dict[str, Any] = {
            "message_id": self.next_update,
            "from": self.user,
            "chat": chat,
            "date": 1764748800,
        }
        if text is not None:
            body["text"] = text
            if text.startswith("/"):
                body["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        return self.update(message={**body, **extra})

    def tap(self, data: str) -> dict[str, Any]:
        sent = {"message_id": 1, "chat": {"id": self.id, "type": "private"}, "date": 1764748800, "text": "?"}
        return self.update(
            callback_query={
                "id": str(self.next_update),
                "from": self.user,
                "message": sent,
                "chat_instance": "1",
                "data": data,
            }
        )

    def post(self, update: dict[str, Any]) -> None:
        response = self.client.post("/telegram/webhook", json=update, headers=HEADERS)
        assert response.status_code == 200, response.text

    def says(self, text: str, *, retried: bool = False) -> None:
        update = self.message(text)
        self.post(update)
        if retried:  # as Telegram does when an answer is late
            self.post(update)


@pytest.fixture
def chat(webhook: TestClient) -> Chat:
    return Chat(webhook)


def _rows(runtime: Runtime, sql: str, **params: Any) -> list[list[Any]]:
    rows: list[list[Any]] = runtime.pool.run(lambda conn: conn.run(sql, **params))
    return rows


def test_a_wrong_or_missing_secret_is_401_and_nothing_is_read(
    webhook: TestClient, fake: FakeTelegram
) -> None:
    update = Chat(webhook).message("hello")
    for headers in ({"X-Telegram-Bot-Api-Secret-Token": "guess"}, {}):
        response = webhook.post("/telegram/webhook", json=update, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Not authorised", "code": "UNAUTHORIZED"}
    assert fake.calls == []


@pytest.mark.parametrize("configured", [None, ""], ids=["no-secret", "secret-without-value"])
def test_without_a_secret_configured_nothing_is_accepted(
    runtime: Runtime, fake: FakeTelegram, configured: str | None
) -> None:
    runtime.settings = runtime.settings.replace(
        telegram_webhook_secret=None if configured is None else Secret(configured)
    )
    with TestClient(create_function_app("telegram", runtime)) as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": ""}, HEADERS):
            response = client.post("/telegram/webhook", json=Chat(client).message("hi"), headers=headers)
            assert response.status_code == 401
    assert fake.calls == []


def test_start_welcomes_in_html_with_examples(chat: Chat, fake: FakeTelegram) -> None:
    chat.says("/start")
    (sent,) = fake.sent()
    assert sent["chat_id"] == chat.id
    assert sent["parse_mode"] == "HTML"
    assert "DovvyBuddy" in parsed_text(sent["text"])
    assert parsed_text(sent["text"]).count("•") == 3


def test_an_emergency_gets_the_protocol_as_the_first_thing_sent(chat: Chat, fake: FakeTelegram) -> None:
    chat.says("my buddy just surfaced and he is not breathing, help")
    first = fake.calls[0]
    assert first.method == "sendMessage"
    shown = parsed_text(first.body["text"])
    assert "emergency" in shown.lower()
    assert "CPR" in shown


@pytest.mark.parametrize(
    ("text", "shown_first"),
    [
        # Arabic at Hurghada: the protocol in Arabic, with Egypt's number.
        ("ساعدونا!! صاحبي طلع من الغطسة في الغردقة وفقد الوعي وما يتنفس", ("هذه حالة طوارئ", "123")),
        # Russian, which no lexicon reads: not "I can't help with that", but the numbers.
        ("Мой друг потерял сознание после погружения и не дышит", ("may not read this language", "112")),
    ],
)
def test_an_emergency_in_another_language_gets_the_numbers_on_telegram(
    chat: Chat, fake: FakeTelegram, text: str, shown_first: tuple[str, str]
) -> None:
    chat.says(text)
    sent = [call for call in fake.calls if call.method == "sendMessage"]
    shown = parsed_text(sent[0].body["text"])
    assert all(part in shown for part in shown_first), shown
    assert "can't help with that" not in shown


def test_a_question_is_answered_from_the_knowledge_base_in_a_telegram_session(
    chat: Chat, fake: FakeTelegram, runtime: Runtime
) -> None:
    chat.says("How do I clear my mask underwater?")
    assert fake.calls[0].method == "sendChatAction"
    assert fake.calls[0].body == {"chat_id": chat.id, "action": "typing"}
    texts = fake.texts()
    assert "Sources" in texts[-1]
    ((channel, turns),) = _rows(
        runtime,
        """SELECT s.channel, jsonb_array_length(s.conversation_history) FROM telegram_chats t
           JOIN sessions s ON s.id = t.session_id WHERE t.chat_id = :id""",
        id=chat.id,
    )
    assert (channel, turns) == ("telegram", 2)
    chat.says("and if it keeps fogging?")
    assert _rows(runtime, "SELECT count(*) FROM telegram_chats WHERE chat_id = :id", id=chat.id) == [[1]]


def test_an_update_sent_twice_is_processed_once(chat: Chat, fake: FakeTelegram) -> None:
    update = chat.message("/help")
    chat.post(update)
    chat.post(update)
    assert len(fake.sent()) == 1


@pytest.mark.parametrize(
    ("kind", "replies"),
    [
        pytest.param("group", 0, id="group-message"),
        pytest.param("edited", 0, id="edited-message"),
        pytest.param("photo", 1, id="photo"),
        pytest.param("sticker", 1, id="sticker"),
    ],
)
def test_what_is_not_a_private_text_is_ignored_or_politely_refused(
    chat: Chat, fake: FakeTelegram, kind: str, replies: int
) -> None:
    if kind == "group":
        update = chat.message("how deep can I go?", chat_type="group")
    elif kind == "edited":
        update = chat.update(edited_message=chat.message("how deep?")["message"])
    elif kind == "photo":
        update = chat.message(photo=[{"file_id": "x", "file_unique_id": "y", "width": 90, "height": 90}])
    else:
        update = chat.message(
            sticker={
                "file_id": "x",
                "file_unique_id": "y",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        )
    chat.post(update)
    assert len(fake.sent()) == replies


def test_a_training_lead_is_completed_with_buttons_and_stored_and_notified_once(
    chat: Chat, fake: FakeTelegram, runtime: Runtime
) -> None:
    shop = contextlib.ExitStack()
    server = shop.enter_context(webhook_server())
    runtime.settings = runtime.settings.replace(
        lead_webhook_url=server.url, lead_webhook_secret=Secret("shop-secret")
    )
    chat.says("/training")
    for answer in (
        "Advanced Open Water",
        "skip",
        "Tioman",
        "Ana Diver",
        "not-an-email",
        f"ana{chat.id}@example.com",
        "skip",
    ):
        chat.says(answer)
    assert any("valid email" in t for t in fake.texts())
    summary = fake.sent()[-1]
    buttons = [b["callback_data"] for row in summary["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["lead:confirm", "lead:edit", "lead:cancel"]
    assert "Advanced Open Water" in parsed_text(summary["text"])
    confirm = chat.tap("lead:confirm")
    chat.post(confirm)
    chat.post(confirm)  # Telegram's retry
    chat.post(chat.tap("lead:confirm"))  # a second tap
    leads = _rows(
        runtime,
        "SELECT type, name, channel, request_details FROM leads WHERE email = :email",
        email=f"ana{chat.id}@example.com",
    )
    assert len(leads) == 1
    kind, name, channel, details = leads[0]
    assert (kind, name, channel) == ("training", "Ana Diver", "telegram")
    assert details["interested_certification"] == "Advanced Open Water"
    assert details["telegram"] == {"id": chat.id, "username": "ana_dives"}
    assert len(fake.sent("answerCallbackQuery")) == 2
    (delivery,) = server.deliveries
    assert json.loads(delivery.body)["lead"]["name"] == "Ana Diver"
    shop.close()


def test_a_lead_form_expires_with_its_session(chat: Chat, fake: FakeTelegram, runtime: Runtime) -> None:
    chat.says("What is a safety stop?")
    chat.says("/trip")
    runtime.pool.run(
        lambda conn: conn.run(
            """UPDATE sessions SET expires_at = now() - interval '1 minute'
               WHERE id = (SELECT session_id FROM telegram_chats WHERE chat_id = :id)""",
            id=chat.id,
        )
    )
    chat.says("How long should a safety stop be?")
    assert _rows(runtime, "SELECT flow FROM telegram_chats WHERE chat_id = :id", id=chat.id) == [[{}]]
    assert "Sources" in fake.texts()[-1]  # answered as a question, in a new session


def test_delete_asks_first_then_erases_the_chat(chat: Chat, fake: FakeTelegram, runtime: Runtime) -> None:
    chat.says("What is a safety stop?")
    (session_id,) = _rows(runtime, "SELECT session_id FROM telegram_chats WHERE chat_id = :id", id=chat.id)[0]
    chat.says("/delete")
    keyboard = fake.sent()[-1]["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for b in keyboard[0]] == ["delete:yes", "delete:no"]
    chat.post(chat.tap("delete:yes"))
    assert _rows(runtime, "SELECT count(*) FROM telegram_chats WHERE chat_id = :id", id=chat.id) == [[0]]
    assert _rows(
        runtime, "SELECT count(*) FROM sessions WHERE id = CAST(:id AS uuid)", id=str(session_id)
    ) == [[0]]


def test_a_fast_sender_is_told_to_slow_down_once(
    webhook: TestClient, runtime: Runtime, fake: FakeTelegram
) -> None:
    runtime.settings = runtime.settings.replace(rate_limits=True, rate_telegram_per_minute=2)
    chat = Chat(webhook)
    for _ in range(5):
        chat.says("/help")
    texts = fake.texts()
    assert texts.count("You're sending messages quickly. Please wait a minute and try again.") == 1
    assert len(texts) == 3


def test_the_purge_job_forgets_update_ids_telegram_no_longer_retries(runtime: Runtime) -> None:
    from dovvy.jobs import purge_expired

    runtime.pool.run(
        lambda conn: conn.run(
            """INSERT INTO telegram_updates (update_id, received_at)
               VALUES (1, now() - interval '3 days'), (2, now() - interval '1 hour')
               ON CONFLICT (update_id) DO UPDATE SET received_at = EXCLUDED.received_at"""
        )
    )
    assert purge_expired(runtime)["telegram_updates"] >= 1
    left = _rows(runtime, "SELECT update_id FROM telegram_updates WHERE update_id IN (1, 2)")
    assert left == [[2]]


class _HostedModel:
    """A hosted model that always writes `text` (the offline composer's answers are short)."""

    name = "fake-hosted"
    model = "fake-1"

    def __init__(self, text: str) -> None:
        self.text = text

    def generate(self, prompt: Prompt) -> Generation:
        return Generation(self.text, self.name, self.model)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        yield self.text


def test_a_long_answer_arrives_as_several_messages_that_render(
    chat: Chat, fake: FakeTelegram, runtime: Runtime
) -> None:
    paragraph = "Keep breathing <slowly> & steadily while you ascend. " * 12
    long = "\n\n".join(f"**Step {n}.** {paragraph}" for n in range(14))
    runtime.llm = FallbackChain([_HostedModel(long)])
    chat.says("How do I do a controlled emergency swimming ascent?")
    answer = [body["text"] for body in fake.sent() if "Step" in body["text"]]
    assert len(answer) >= 3
    assert all(len(parsed_text(text)) <= 4096 for text in answer)
    assert sum(parsed_text(text).count("Step ") for text in answer) == 14
    assert "<slowly> & steadily" in parsed_text(answer[0])


def test_the_model_budget_follows_the_telegram_account_across_new_chats(
    chat: Chat, fake: FakeTelegram, runtime: Runtime
) -> None:
    runtime.llm = FallbackChain([_HostedModel("Equalise early and often.")])
    runtime.settings = runtime.settings.replace(model_tokens_per_session_day=1)
    chat.says("How do I equalise my ears?")
    assert "Equalise early and often." in fake.texts()[0]
    chat.says("/newchat")
    chat.says("How do I equalise my ears?")
    assert "used today's allowance" in fake.texts()[-2] or "used today's allowance" in fake.texts()[-1]


def test_personal_data_from_telegram_is_in_no_log(
    chat: Chat, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    from dovvy.logs import JsonFormatter

    marked = ["whisper-t9k2", "pii.t9k2@example.com", "ana_t9k2"]
    chat.user["username"] = marked[2]
    caplog.set_level(logging.DEBUG)
    chat.says(f"hi, I'm diving tioman, {marked[0]}")
    chat.says("/trip")
    chat.says(f"tioman {marked[0]}")
    # Telegram refusing a message, its description quoting the text: logged without the quote.
    fake.refuse = f"Bad Request: can't parse entities: {marked[0]} at byte offset 3"
    chat.says(marked[1])
    log = "\n".join(JsonFormatter().format(r) for r in caplog.records if not r.name.startswith("httpx"))
    assert "telegram update failed" in log
    assert "TelegramError" in log
    assert '"route": "POST /telegram/webhook"' in log
    for value in [*marked, str(chat.id)]:
        assert value not in log, value
