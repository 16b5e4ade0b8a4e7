"""`dovvy telegram webhook` and `dovvy telegram poll` against the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dovvy.cli import main
from tests.fake_telegram import TOKEN, FakeTelegram, fake_telegram, parsed_text


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTelegram]:
    with fake_telegram() as running:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "the-deployment-secret")
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", running.base_url)
        yield running


def test_webhook_registers_the_url_with_the_secret_and_the_commands(
    fake: FakeTelegram, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["telegram", "webhook", "--url", "https://api.example/telegram/webhook"]) == 0
    (registered,) = fake.sent("setWebhook")
    assert registered == {
        "url": "https://api.example/telegram/webhook",
        "secret_token": "the-deployment-secret",
        "allowed_updates": ["message", "callback_query"],
        "max_connections": 8,
        "drop_pending_updates": False,
    }
    (commands,) = fake.sent("setMyCommands")
    names = [c["command"] for c in commands["commands"]]
    assert names == ["start", "help", "newchat", "training", "trip", "cancel", "delete"]
    out = capsys.readouterr().out
    assert "https://api.example/telegram/webhook" in out
    assert TOKEN not in out
    assert "the-deployment-secret" not in out


def test_poll_answers_updates_from_get_updates(
    fake: FakeTelegram, chat_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", chat_database_url)
    user = {"id": 777000123, "is_bot": False, "first_name": "Sam"}
    chat = {"id": 777000123, "type": "private", "first_name": "Sam"}
    fake.updates = [
        {
            "update_id": 5001,
            "message": {"message_id": 1, "from": user, "chat": chat, "date": 1764748800, "text": "/start"},
        },
        {
            "update_id": 5002,
            "message": {
                "message_id": 2,
                "from": user,
                "chat": chat,
                "date": 1764748801,
                "text": "What is a safety stop?",
            },
        },
    ]
    assert main(["telegram", "poll", "--timeout", "0", "--max-updates", "2"]) == 0
    methods = [c.method for c in fake.calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    texts = fake.texts()
    assert "DovvyBuddy" in texts[0]
    assert any("safety stop" in t.lower() for t in texts[1:])
    assert all(parsed_text(body["text"]) for body in fake.sent())
