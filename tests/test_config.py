from __future__ import annotations

from pathlib import Path

import pytest

from dovvy.config import Secret, Settings
from dovvy.errors import ConfigError
from tests.conftest import ROOT


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.port == 8080
    assert settings.session_expiry_hours == 24
    assert settings.data_dir == ROOT / ".dovvy"  # the checkout's, whatever the working directory


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u:p@db:5432/x",
            "PORT": "9000",
            "SESSION_EXPIRY_HOURS": "2",
            "CORS_ORIGINS": "https://a.example, https://b.example",
            "DOVVY_DATA_DIR": "/tmp/d",
            "SENTRY_DSN": "https://key@o1.ingest.sentry.io/42",
            "SENTRY_TRACES_SAMPLE_RATE": "0.05",
        }
    )
    assert settings.sentry_dsn == "https://key@o1.ingest.sentry.io/42"
    assert (settings.sentry_sample_rate, settings.sentry_traces_sample_rate) == (1.0, 0.05)
    assert settings.port == 9000
    assert settings.session_expiry_hours == 2
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.data_dir == Path("/tmp/d")
    assert settings.database_url == Secret("postgresql://u:p@db:5432/x")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"PORT": "eighty"}, "PORT", id="port-text"),
        pytest.param({"PORT": "70000"}, "PORT", id="port-range"),
        pytest.param({"SESSION_EXPIRY_HOURS": "0"}, "SESSION_EXPIRY_HOURS", id="expiry-zero"),
        pytest.param({"LOG_LEVEL": "chatty"}, "LOG_LEVEL", id="log-level"),
        pytest.param({"LEAD_WEBHOOK_URL": "ftp://x"}, "LEAD_WEBHOOK_URL", id="webhook-scheme"),
        pytest.param({"EMBEDDING_PROVIDER": "magic"}, "EMBEDDING_PROVIDER", id="embedding-provider"),
        pytest.param(
            {"LLM_PROVIDERS": "groq,openai", "GROQ_API_KEY": "k"}, "LLM_PROVIDERS", id="unknown-llm"
        ),
        pytest.param({"CHAT_DEADLINE_SECONDS": "0"}, "CHAT_DEADLINE_SECONDS", id="deadline-zero"),
        pytest.param({"CORS_ORIGINS": "https://app.example/"}, "CORS_ORIGINS", id="origin-trailing-slash"),
        pytest.param({"CORS_ORIGINS": "app.example"}, "CORS_ORIGINS", id="origin-without-scheme"),
        pytest.param(
            {"CORS_ORIGIN_REGEX": "https://(.*\\.vercel\\.app"}, "CORS_ORIGIN_REGEX", id="bad-regex"
        ),
        pytest.param({"LEAD_DEDUPE_MINUTES": "-1"}, "LEAD_DEDUPE_MINUTES", id="dedupe-negative"),
        pytest.param({"SENTRY_DSN": "https://o1.ingest.sentry.io/1"}, "SENTRY_DSN", id="dsn-without-key"),
        pytest.param({"SENTRY_DSN": "sentry.example/1"}, "SENTRY_DSN", id="dsn-without-scheme"),
        pytest.param({"SENTRY_SAMPLE_RATE": "1.5"}, "SENTRY_SAMPLE_RATE", id="sample-rate-over-one"),
        pytest.param(
            {"SENTRY_TRACES_SAMPLE_RATE": "-0.1"}, "SENTRY_TRACES_SAMPLE_RATE", id="traces-rate-negative"
        ),
    ],
)
def test_bad_values_fail_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_secrets_never_show_in_repr() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u:hunter2@db/x",
            "GROQ_API_KEY": "gsk_live_123",
            "LEAD_WEBHOOK_URL": "https://shop.example/hook",
            "LEAD_WEBHOOK_SECRET": "whsec_456",
        }
    )
    text = repr(settings) + str(settings)
    for secret in ("hunter2", "gsk_live_123", "whsec_456"):
        assert secret not in text
    assert settings.groq_api_key is not None
    assert settings.groq_api_key.reveal() == "gsk_live_123"


def test_local_work_relaxes_only_the_limits_not_set() -> None:
    """`dovvy serve` raises each allowance its variable leaves unset (a developer testing the lead
    form was locked out after five tries); what the environment sets is kept, and deploys, which
    never call this, keep production's."""
    environ = {"RATE_LEADS_PER_HOUR": "7"}
    deployed = Settings.from_env(environ)
    local = deployed.with_local_limits(environ)
    assert (deployed.rate_leads_per_hour, deployed.rate_sessions_per_hour) == (7, 30)
    assert (local.rate_leads_per_hour, local.rate_sessions_per_hour) == (7, 3_000)
    assert local.rate_chat_per_minute > deployed.rate_chat_per_minute
    assert local.rate_limits is True
