"""Secrets given by reference: an AWS Secrets Manager ARN or a Google Secret Manager name.

Lambda has no native way to put a secret's value in an environment variable, so deployments set
the variable to the secret's ARN and the value is fetched at cold start. Plain values pass through
untouched, so local runs and Cloud Run (which injects values itself) pay nothing.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from dovvy.errors import ConfigError

_AWS_ARN = re.compile(r"^arn:aws[\w-]*:secretsmanager:[\w-]*:\d{12}:secret:.+$")
_GCP_NAME = re.compile(r"^projects/[^/]+/secrets/[^/]+(/versions/[^/]+)?$")


def is_reference(value: str) -> bool:
    return bool(_AWS_ARN.match(value) or _GCP_NAME.match(value))


def resolve(name: str, value: str) -> str:
    """The secret's value; `name` (the variable) is used in errors, never the value."""
    if _AWS_ARN.match(value):
        return _from_aws(name, value)
    if _GCP_NAME.match(value):
        return _from_gcp(name, value)
    return value


@functools.cache
def _aws_provider(region: str) -> Any:
    from aws_lambda_powertools.utilities import parameters
    from botocore.config import Config

    return parameters.SecretsProvider(boto_config=Config(region_name=region))


def _from_aws(name: str, arn: str) -> str:
    # The ARN names its region, so no AWS_REGION is needed to read it.
    region = arn.split(":")[3]
    if not region:
        raise ConfigError(f"{name}: the secret's ARN names no region (arn:aws:secretsmanager:REGION:...)")
    try:
        secret = _aws_provider(region).get(arn, max_age=300)
    except Exception as exc:  # powertools wraps some errors, botocore raises others (no credentials...)
        cause = exc.__cause__ or exc.__context__ or exc
        error = getattr(cause, "response", {}).get("Error", {})
        if error.get("Code") == "ResourceNotFoundException" and "secret value" in error.get("Message", ""):
            # The secret exists but nobody has put a value in it yet: its feature is off.
            return ""
        raise ConfigError(f"{name}: cannot read the secret it names ({type(cause).__name__})") from None
    return str(secret)


@functools.cache
def _gcp_client() -> Any:
    from google.cloud import secretmanager

    # REST, not gRPC: one request per secret per container does not need a channel.
    return secretmanager.SecretManagerServiceClient(transport="rest")


def _from_gcp(name: str, reference: str) -> str:
    from google.api_core import exceptions

    latest = "/versions/" not in reference
    version = f"{reference}/versions/latest" if latest else reference
    try:
        response = _gcp_client().access_secret_version(name=version)
    except exceptions.NotFound:
        if latest:
            # Secret Manager says the same for a secret with no version yet: its feature is off.
            return ""
        raise ConfigError(f"{name}: cannot read the secret it names (NotFound)") from None
    except Exception as exc:  # the client raises google.api_core errors of many kinds
        raise ConfigError(f"{name}: cannot read the secret it names ({type(exc).__name__})") from None
    return str(response.payload.data.decode("utf-8"))
