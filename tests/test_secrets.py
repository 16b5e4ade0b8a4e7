from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import boto3
import pytest

from dovvy import secrets
from dovvy.config import Settings
from dovvy.errors import ConfigError
from tests.local_server import send_json


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

    from dovvy.function_apps import create_function_app
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


def test_an_aws_secret_with_no_value_yet_turns_its_feature_off(aws: None) -> None:
    """Terraform creates the secrets empty; until a key is put in, its provider is off (the first
    deploy does not wait for every key)."""
    from dovvy.providers.llm import create_llm

    client = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = client.create_secret(Name="dovvy/gemini-api-key")["ARN"]
    settings = Settings.from_env({"GEMINI_API_KEY": arn, "LLM_PROVIDERS": "gemini"})
    assert [p.name for p in create_llm(settings).providers] == ["offline"]


class _FakeSecretManager(BaseHTTPRequestHandler):
    """Secret Manager's REST surface for `versions:access`, as the Python client calls it."""

    versions: ClassVar[dict[str, str]] = {}
    denied: ClassVar[set[str]] = set()

    def do_GET(self) -> None:
        name = self.path.split("?")[0].removeprefix("/v1/").removesuffix(":access")
        secret = name.rsplit("/versions/", 1)[0]
        if secret in self.denied:
            self._answer(
                403, {"error": {"code": 403, "message": "Permission denied", "status": "PERMISSION_DENIED"}}
            )
        elif name in self.versions:
            data = base64.b64encode(self.versions[name].encode()).decode()
            self._answer(200, {"name": name, "payload": {"data": data}})
        else:
            message = f"Secret [{secret}] not found or has no versions."
            self._answer(404, {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        send_json(self, status, body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gcp_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_FakeSecretManager]]:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import secretmanager
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports.rest import (
        SecretManagerServiceRestTransport,
    )

    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeSecretManager)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    transport = SecretManagerServiceRestTransport(
        host=f"127.0.0.1:{server.server_port}",
        url_scheme="http",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
    )
    monkeypatch.setattr(
        secrets, "_gcp_client", lambda: secretmanager.SecretManagerServiceClient(transport=transport)
    )
    _FakeSecretManager.versions, _FakeSecretManager.denied = {}, set()
    yield _FakeSecretManager
    server.shutdown()


def test_gcp_secret_names_are_read_when_first_used(gcp_secrets: type[_FakeSecretManager]) -> None:
    gcp_secrets.versions["projects/p/secrets/dovvy-groq-api-key/versions/latest"] = "gsk_live"
    settings = Settings.from_env({"GROQ_API_KEY": "projects/p/secrets/dovvy-groq-api-key"})
    assert settings.groq_api_key is not None
    assert settings.groq_api_key.reveal() == "gsk_live"


def test_a_gcp_secret_with_no_version_turns_its_feature_off(gcp_secrets: type[_FakeSecretManager]) -> None:
    from dovvy.providers.llm import create_llm

    settings = Settings.from_env(
        {"GROQ_API_KEY": "projects/p/secrets/dovvy-groq-api-key", "LLM_PROVIDERS": "groq"}
    )
    assert [p.name for p in create_llm(settings).providers] == ["offline"]


def test_a_gcp_secret_that_cannot_be_read_fails_naming_the_variable(
    gcp_secrets: type[_FakeSecretManager],
) -> None:
    gcp_secrets.denied.add("projects/p/secrets/dovvy-groq-api-key")
    settings = Settings.from_env({"GROQ_API_KEY": "projects/p/secrets/dovvy-groq-api-key"})
    assert settings.groq_api_key is not None
    with pytest.raises(ConfigError, match=r"^GROQ_API_KEY: cannot read the secret it names \(Forbidden\)$"):
        settings.groq_api_key.reveal()
    # A pinned version that is gone is an error too, not an empty key.
    pinned = Settings.from_env({"GROQ_API_KEY": "projects/p/secrets/other/versions/3"})
    assert pinned.groq_api_key is not None
    with pytest.raises(ConfigError, match="NotFound"):
        pinned.groq_api_key.reveal()


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
