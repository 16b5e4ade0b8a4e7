"""Each function refuses to start when its own configuration could not work, and only then: the
session function starts without the model keys only chat reads."""

from __future__ import annotations

import pytest

from dovvy import needs
from dovvy.config import Settings
from dovvy.errors import ConfigError

DB = "postgresql://dovvy@db.internal:5432/dovvy?sslmode=verify-full"
# What the deployed functions are given (infra/terraform/contract): models for chat only.
SHARED = {"DATABASE_URL": DB, "DOVVY_ENV": "production"}
MODELS = {"LLM_PROVIDERS": "groq,gemini", "EMBEDDING_PROVIDER": "gemini"}
KEYS = {"GROQ_API_KEY": "g", "GEMINI_API_KEY": "k"}


@pytest.mark.parametrize("function", ["session", "lead", "migrate", "jobs"])
def test_functions_without_models_start_without_their_keys(function: str) -> None:
    needs.check(Settings.from_env(SHARED | MODELS), function)


@pytest.mark.parametrize("function", ["session", "chat", "ingest", "migrate"])
def test_functions_that_notify_no_one_start_without_the_webhook_secret(function: str) -> None:
    env = SHARED | KEYS | {"LEAD_WEBHOOK_URL": "https://shop.example/hook", "LEAD_EMAIL_TO": "a@b.c"}
    env["CONTENT_BUCKET"] = "dovvy-content"
    needs.check(Settings.from_env(env), function)


@pytest.mark.parametrize(
    ("function", "env", "named"),
    [
        pytest.param("chat", SHARED | MODELS | {"GEMINI_API_KEY": "k"}, "GROQ_API_KEY", id="chat-no-groq"),
        pytest.param("chat", SHARED | MODELS | {"GROQ_API_KEY": "g"}, "GEMINI_API_KEY", id="chat-no-gemini"),
        pytest.param(
            "ingest", SHARED | {"EMBEDDING_PROVIDER": "gemini"}, "GEMINI_API_KEY", id="ingest-no-key"
        ),
        pytest.param(
            "ingest",
            SHARED | KEYS | {"EMBEDDING_PROVIDER": "gemini"},
            "CONTENT_BUCKET",
            id="ingest-no-bucket",
        ),
        pytest.param("session", {"DOVVY_ENV": "production"}, "DATABASE_URL", id="no-database"),
        pytest.param(
            "lead",
            SHARED | {"LEAD_WEBHOOK_URL": "https://shop.example/hook"},
            "LEAD_WEBHOOK_SECRET",
            id="webhook-secret",
        ),
        pytest.param(
            "jobs", SHARED | {"LEAD_EMAIL_TO": "shop@example.com"}, "LEAD_EMAIL_FROM", id="email-from"
        ),
        pytest.param("lead", SHARED | {"DATABASE_URL": "mysql://x"}, "DATABASE_URL", id="bad-database"),
        pytest.param(
            "migrate", SHARED | {"DATABASE_URL": DB + "&sslmode=maybe"}, "sslmode", id="bad-sslmode"
        ),
    ],
)
def test_a_configuration_that_cannot_work_is_named(function: str, env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        needs.check(Settings.from_env(env), function)


def test_chat_starts_with_its_keys() -> None:
    needs.check(Settings.from_env(SHARED | MODELS | KEYS), "chat")


def test_no_gemini_key_and_no_offline_embedder_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bundles leave the offline embedder out: without a Gemini key chat and ingest refuse to
    start instead of failing every message on a missing module."""
    settings = Settings.from_env(SHARED)
    needs.check(settings, "chat")  # this environment has the offline embedder
    monkeypatch.setattr(needs, "offline_embedder_available", lambda: False)
    for function in ("chat", "ingest"):
        with pytest.raises(ConfigError, match="GEMINI_API_KEY"):
            needs.check(settings, function)
    needs.check(settings, "session")


def test_an_unset_database_is_the_embedded_one_where_asked() -> None:
    needs.check(Settings.from_env({}), *needs.NEEDS, deployed=False)
