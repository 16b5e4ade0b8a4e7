from __future__ import annotations

import boto3
import pytest

from dovvy import secrets
from dovvy.config import Settings
from dovvy.errors import ConfigError


def test_aws_secret_arns_are_resolved_at_start_up(aws: None) -> None:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = client.create_secret(Name="dovvy/database-url", SecretString="postgresql://u:pw@db.example/x")[
        "ARN"
    ]
    settings = Settings.from_env({"DATABASE_URL": arn})
    assert settings.database_url is not None
    assert settings.database_url.reveal() == "postgresql://u:pw@db.example/x"


def test_missing_secret_fails_naming_the_variable_not_the_value(aws: None) -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/missing-AbCdEf"
    with pytest.raises(ConfigError, match=r"^GROQ_API_KEY: cannot read the secret"):
        Settings.from_env({"GROQ_API_KEY": arn})


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
