"""How the text of each environment variable becomes a setting's value. Each reader raises
ValueError with what is wrong; `Settings.from_env` names the variable."""

from __future__ import annotations

import math
import re
from collections.abc import Callable


def positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be zero or more")
    return value


def finite(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def positive_float(raw: str) -> float:
    value = finite(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def non_negative_float(raw: str) -> float:
    value = finite(raw)
    if value < 0:
        raise ValueError("must be zero or more")
    return value


def fraction(raw: str) -> float:
    value = finite(raw)
    if not 0 <= value <= 1:
        raise ValueError("must be between 0 and 1")
    return value


def port_number(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 65535:
        raise ValueError("must be between 1 and 65535")
    return value


def csv(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


# The hosted model providers LLM_PROVIDERS may name, and the variable holding each one's key.
MODEL_KEY_VARIABLES = {"groq": "GROQ_API_KEY", "gemini": "GEMINI_API_KEY"}


def providers(raw: str) -> tuple[str, ...]:
    names = csv(raw)
    for name in names:
        if name not in MODEL_KEY_VARIABLES:
            raise ValueError(f"unknown provider '{name}' (known: {', '.join(MODEL_KEY_VARIABLES)})")
    return names


_ORIGIN = re.compile(r"^https?://[^/\s?#]+$")


def origins(raw: str) -> tuple[str, ...]:
    """Browser origins as a browser sends them: scheme and host (and port), no path, no slash."""
    origins = csv(raw)
    for origin in origins:
        if origin != "*" and not _ORIGIN.match(origin):
            raise ValueError(
                f"'{origin}' is not an origin like https://app.example.com (no path or trailing /)"
            )
    return origins


def regex(raw: str) -> str:
    try:
        re.compile(raw)
    except re.error as exc:
        raise ValueError(f"not a regular expression ({exc})") from None
    return raw


# S3 and Cloud Storage agree on lower-case letters, digits, dots and dashes (Cloud Storage also
# allows underscores), 3 to 63 characters, starting and ending with a letter or digit.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")


def bucket_name(raw: str) -> str:
    if not _BUCKET.match(raw):
        raise ValueError(f"'{raw}' is not a bucket name")
    return raw


def key_prefix(raw: str) -> str:
    """A folder inside the bucket: "articles/" (a trailing slash is added), or empty."""
    prefix = raw.strip("/")
    return f"{prefix}/" if prefix else ""


def flag(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return raw


_SENTRY_DSN = re.compile(r"^https?://[^@/\s]+@[^/\s]+/(?:[^\s]*/)?\d+$")


def sentry_dsn(raw: str) -> str:
    """Sentry's client key URL: scheme, public key, host, then the project's number last."""
    if not _SENTRY_DSN.match(raw):
        raise ValueError("must be a Sentry DSN like https://KEY@o1.ingest.sentry.io/123")
    return raw


def role_name(raw: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", raw):
        raise ValueError("must be a lower-case PostgreSQL role name (letters, digits, _)")
    return raw


def pem_certificate(raw: str) -> str:
    if "-----BEGIN CERTIFICATE-----" not in raw:
        raise ValueError("must be a PEM certificate (-----BEGIN CERTIFICATE-----)")
    return raw


def email(raw: str) -> str:
    if "@" not in raw:
        raise ValueError("must be an e-mail address")
    return raw


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return raw

    return parse
