from __future__ import annotations

import boto3
import pytest

from dovvy import secrets
from dovvy.config import Settings
from dovvy.errors import ConfigError


def test_aws_secret_arns_are_read_when_first_used(aws: None) -> None:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = client.create_secret(Name="dovvy/database-url", SecretString="postgresql://u:pw@db.example/x")[
        "ARN"
    ]
    settings = Settings.from_env({"DATABASE_URL": arn})
    assert settings.database_url is not None
    assert settings.database_url.is_reference
    assert settings.database_url.reveal() == "postgresql://u:pw@db.example/x"


def test_a_missing_secret_fails_when_used_naming_the_variable_not_the_value(aws: None) -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/missing-AbCdEf"
    settings = Settings.from_env({"GROQ_API_KEY": arn})  # nothing is read at start-up
    assert settings.groq_api_key is not None
    with pytest.raises(ConfigError, match=r"^GROQ_API_KEY: cannot read the secret"):
        settings.groq_api_key.reveal()


def test_each_function_reads_only_the_secrets_it_uses(aws: None, database_url: str) -> None:
    """The session function starts and answers with unreadable model and webhook secrets; chat
    then fails with 503 CONFIG_ERROR, naming the variable in the log only."""
    from starlette.testclient import TestClient

    from dovvy.functions import create_function_app
    from dovvy.runtime import Runtime

    missing = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/{}-AbCdEf"
    env = {
        "DATABASE_URL": database_url,
        "GROQ_API_KEY": missing.format("groq"),
        "LEAD_WEBHOOK_URL": "https://shop.example/hook",
        "LEAD_WEBHOOK_SECRET": missing.format("webhook"),
        "RATE_LIMITS": "off",
    }
    runtime = Runtime(Settings.from_env(env))
    with TestClient(create_function_app("session", runtime)) as session:
        assert session.post("/api/sessions", json={}).status_code == 201
    with TestClient(create_function_app("chat", runtime)) as chat:
        response = chat.post("/api/chat", json={"message": "How do I clear my mask?"})
    runtime.close()
    assert response.status_code == 503
    assert response.json()["code"] == "CONFIG_ERROR"
    assert "GROQ" not in response.text


def test_an_empty_optional_secret_turns_its_feature_off_with_one_warning(
    aws: None, caplog: pytest.LogCaptureFixture
) -> None:
    from dovvy.notify import build_notifiers
    from dovvy.providers.llm import create_llm

    client = boto3.client("secretsmanager", region_name="eu-west-1")
    empty = client.create_secret(Name="dovvy/groq", SecretString=" ")["ARN"]
    settings = Settings.from_env(
        {"GROQ_API_KEY": empty, "LEAD_WEBHOOK_URL": "https://shop.example/hook", "LEAD_WEBHOOK_SECRET": empty}
    )
    assert [p.name for p in create_llm(settings).providers] == ["offline"]
    assert build_notifiers(settings) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "model provider off: its API key is empty",
        "lead webhook off: LEAD_WEBHOOK_SECRET is empty",
    ]


@pytest.mark.parametrize(
    ("value", "reference"),
    [
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/x-AbCdEf", True),
        ("projects/p/secrets/s", True),
        ("projects/p/secrets/s/versions/3", True),
        ("postgresql://u@h/db", False),
        ("gsk_plainkey", False),
    ],
)
def test_references_are_recognised(value: str, reference: bool) -> None:
    assert secrets.is_reference(value) is reference
