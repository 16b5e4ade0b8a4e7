"""Settings: one typed, immutable object built from a mapping (normally the process environment)."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from dovvy.errors import ConfigError

T = TypeVar("T")


class Secret:
    """A string that never shows itself in a repr, a log line or an error message.

    A secret given by reference (a Secrets Manager ARN, a Secret Manager name) is read the first
    time it is revealed, not at start-up: each function reads only the secrets it uses, when it
    uses them (the session function never touches the model keys), and a reference that cannot be
    read fails naming its variable then, never earlier and never with its value.
    """

    __slots__ = ("_lock", "_name", "_reference", "_value")

    def __init__(self, value: str) -> None:
        self._value: str | None = value
        self._name = ""
        self._reference = ""
        self._lock = threading.Lock()

    @classmethod
    def reference(cls, name: str, reference: str) -> Secret:
        secret = cls("")
        secret._value, secret._name, secret._reference = None, name, reference
        return secret

    @property
    def is_reference(self) -> bool:
        return bool(self._reference)

    def reveal(self) -> str:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    from dovvy import secrets

                    self._value = secrets.resolve(self._name, self._reference)
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return False
        if self._reference or other._reference:
            return self._reference == other._reference
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(self._reference or self._value)


def _project_dir() -> Path:
    """The checkout this code runs from (so `dovvy` finds content/ and .dovvy/ from any folder), or
    the working directory when installed as a package."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "shared" / "dovvy").is_dir() else Path()


PROJECT_DIR = _project_dir()


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: Secret | None = None
    database_ca_cert: str | None = None
    database_app_user: str | None = None
    database_app_password: Secret | None = None
    data_dir: Path = PROJECT_DIR / ".dovvy"
    content_dir: Path = PROJECT_DIR / "content"
    seed_file: Path = Path(__file__).parent / "catalogue" / "destinations.yaml"
    host: str = "127.0.0.1"
    port: int = 8080
    environment: str = "local"
    log_level: str = "INFO"
    session_expiry_hours: int = 24
    max_body_bytes: int = 64 * 1024
    public_url: str | None = None
    cors_origins: tuple[str, ...] = ()
    cors_origin_regex: str | None = None
    lead_dedupe_minutes: int = 10
    content_bucket: str | None = None
    content_prefix: str = ""
    rate_limits: bool = True
    trusted_proxy_hops: int = 0
    rate_chat_per_minute: int = 20
    rate_chat_per_day: int = 200
    rate_chat_per_session_minute: int = 10
    rate_leads_per_hour: int = 5
    rate_sessions_per_hour: int = 30
    model_tokens_per_day: int = 2_000_000
    model_tokens_per_session_day: int = 60_000
    db_pool_size: int = 10
    db_ping_after_seconds: float = 30.0
    db_timeout_seconds: float = 10.0
    lead_webhook_url: str | None = None
    lead_webhook_secret: Secret | None = None
    lead_email_to: str | None = None
    lead_email_from: str | None = None
    lead_email_region: str | None = None
    notify_timeout_seconds: float = 5.0
    notify_max_attempts: int = 5
    gemini_api_key: Secret | None = None
    groq_api_key: Secret | None = None
    embedding_provider: str = "auto"
    llm_providers: tuple[str, ...] = ()
    groq_model: str = "llama-3.3-70b-versatile"
    gemini_model: str = "gemini-2.5-flash"
    gemini_embedding_model: str = "gemini-embedding-001"
    llm_timeout_seconds: float = 20.0
    provider_max_retries: int = 2
    llm_routing: bool = True
    router_timeout_seconds: float = 1.5
    chat_deadline_seconds: float = 25.0
    gemini_base_url: str | None = None
    groq_base_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` (the process environment when omitted).

        Every problem names its variable, so a bad deployment fails at start-up with a clear line.
        """
        env = _Env(os.environ if environ is None else environ)
        settings = cls(
            database_url=env.secret("DATABASE_URL"),
            database_ca_cert=env.get("DATABASE_CA_CERT", _pem_certificate, None),
            database_app_user=env.get("DATABASE_APP_USER", _role_name, None),
            database_app_password=env.secret("DATABASE_APP_PASSWORD"),
            data_dir=env.get("DOVVY_DATA_DIR", Path, cls.data_dir),
            content_dir=env.get("DOVVY_CONTENT_DIR", Path, cls.content_dir),
            seed_file=env.get("DOVVY_SEED_FILE", Path, cls.seed_file),
            host=env.get("HOST", str, cls.host),
            port=env.get("PORT", port_number, cls.port),
            environment=env.get("DOVVY_ENV", str, cls.environment),
            log_level=env.get("LOG_LEVEL", _log_level, cls.log_level),
            session_expiry_hours=env.get("SESSION_EXPIRY_HOURS", _positive_int, 24),
            max_body_bytes=env.get("MAX_BODY_BYTES", _positive_int, cls.max_body_bytes),
            public_url=env.get("PUBLIC_URL", _http_url, None),
            cors_origins=env.get("CORS_ORIGINS", _origins, ()),
            cors_origin_regex=env.get("CORS_ORIGIN_REGEX", _regex, None),
            lead_dedupe_minutes=env.get("LEAD_DEDUPE_MINUTES", _non_negative_int, cls.lead_dedupe_minutes),
            content_bucket=env.get("CONTENT_BUCKET", _bucket_name, None),
            content_prefix=env.get("CONTENT_PREFIX", _key_prefix, cls.content_prefix),
            rate_limits=env.get("RATE_LIMITS", _bool, cls.rate_limits),
            trusted_proxy_hops=env.get("TRUSTED_PROXY_HOPS", _non_negative_int, cls.trusted_proxy_hops),
            rate_chat_per_minute=env.get("RATE_CHAT_PER_MINUTE", _positive_int, cls.rate_chat_per_minute),
            rate_chat_per_day=env.get("RATE_CHAT_PER_DAY", _positive_int, cls.rate_chat_per_day),
            rate_chat_per_session_minute=env.get(
                "RATE_CHAT_PER_SESSION_MINUTE", _positive_int, cls.rate_chat_per_session_minute
            ),
            rate_leads_per_hour=env.get("RATE_LEADS_PER_HOUR", _positive_int, cls.rate_leads_per_hour),
            rate_sessions_per_hour=env.get(
                "RATE_SESSIONS_PER_HOUR", _positive_int, cls.rate_sessions_per_hour
            ),
            model_tokens_per_day=env.get("MODEL_TOKENS_PER_DAY", _positive_int, cls.model_tokens_per_day),
            model_tokens_per_session_day=env.get(
                "MODEL_TOKENS_PER_SESSION_DAY", _positive_int, cls.model_tokens_per_session_day
            ),
            db_pool_size=env.get("DB_POOL_SIZE", _positive_int, cls.db_pool_size),
            db_ping_after_seconds=env.get(
                "DB_PING_AFTER_SECONDS", _non_negative_float, cls.db_ping_after_seconds
            ),
            db_timeout_seconds=env.get("DB_TIMEOUT_SECONDS", _positive_float, cls.db_timeout_seconds),
            lead_webhook_url=env.get("LEAD_WEBHOOK_URL", _http_url, None),
            lead_webhook_secret=env.secret("LEAD_WEBHOOK_SECRET"),
            lead_email_to=env.get("LEAD_EMAIL_TO", _email, None),
            lead_email_from=env.get("LEAD_EMAIL_FROM", _email, None),
            lead_email_region=env.get("LEAD_EMAIL_REGION", str, None),
            notify_timeout_seconds=env.get(
                "NOTIFY_TIMEOUT_SECONDS", _positive_float, cls.notify_timeout_seconds
            ),
            notify_max_attempts=env.get("NOTIFY_MAX_ATTEMPTS", _positive_int, cls.notify_max_attempts),
            gemini_api_key=env.secret("GEMINI_API_KEY") or env.secret("GOOGLE_API_KEY"),
            groq_api_key=env.secret("GROQ_API_KEY"),
            embedding_provider=env.get("EMBEDDING_PROVIDER", _choice("auto", "gemini", "offline"), "auto"),
            llm_providers=env.get("LLM_PROVIDERS", _providers, ()),
            groq_model=env.get("GROQ_MODEL", str, cls.groq_model),
            gemini_model=env.get("GEMINI_MODEL", str, cls.gemini_model),
            gemini_embedding_model=env.get("GEMINI_EMBEDDING_MODEL", str, cls.gemini_embedding_model),
            llm_timeout_seconds=env.get("LLM_TIMEOUT_SECONDS", _positive_float, cls.llm_timeout_seconds),
            provider_max_retries=env.get("PROVIDER_MAX_RETRIES", _non_negative_int, cls.provider_max_retries),
            llm_routing=env.get("LLM_ROUTING", _bool, True),
            router_timeout_seconds=env.get(
                "ROUTER_TIMEOUT_SECONDS", _positive_float, cls.router_timeout_seconds
            ),
            chat_deadline_seconds=env.get(
                "CHAT_DEADLINE_SECONDS", _positive_float, cls.chat_deadline_seconds
            ),
            gemini_base_url=env.get("GEMINI_BASE_URL", _http_url, None),
            groq_base_url=env.get("GROQ_BASE_URL", _http_url, None),
        )
        return settings

    def with_local_limits(self, environ: Mapping[str, str] | None = None) -> Settings:
        """For `dovvy serve` on a developer's machine: each allowance its variable does not set is
        raised to LOCAL_LIMITS (a frontend developer submits the lead form more than five times an
        hour); deploys never call this and keep the defaults above."""
        env = os.environ if environ is None else environ
        return self.replace(
            **{field: value for (name, field), value in LOCAL_LIMITS.items() if name not in env}
        )

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


# (variable, setting): the allowance under `dovvy serve` when the variable is not set.
LOCAL_LIMITS = {
    ("RATE_CHAT_PER_MINUTE", "rate_chat_per_minute"): 600,
    ("RATE_CHAT_PER_DAY", "rate_chat_per_day"): 20_000,
    ("RATE_CHAT_PER_SESSION_MINUTE", "rate_chat_per_session_minute"): 300,
    ("RATE_LEADS_PER_HOUR", "rate_leads_per_hour"): 500,
    ("RATE_SESSIONS_PER_HOUR", "rate_sessions_per_hour"): 3_000,
}


class _Env:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        raw = self._environ.get(name, "").strip()
        if not raw:
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} is invalid: {exc}") from None

    def secret(self, name: str) -> Secret | None:
        raw = self._environ.get(name, "").strip()
        if not raw:
            return None
        from dovvy import secrets

        return Secret.reference(name, raw) if secrets.is_reference(raw) else Secret(raw)


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be zero or more")
    return value


def _finite(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _positive_float(raw: str) -> float:
    value = _finite(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _non_negative_float(raw: str) -> float:
    value = _finite(raw)
    if value < 0:
        raise ValueError("must be zero or more")
    return value


def port_number(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 65535:
        raise ValueError("must be between 1 and 65535")
    return value


def _csv(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


# The hosted model providers LLM_PROVIDERS may name, and the variable holding each one's key.
MODEL_KEY_VARIABLES = {"groq": "GROQ_API_KEY", "gemini": "GEMINI_API_KEY"}


def _providers(raw: str) -> tuple[str, ...]:
    names = _csv(raw)
    for name in names:
        if name not in MODEL_KEY_VARIABLES:
            raise ValueError(f"unknown provider '{name}' (known: {', '.join(MODEL_KEY_VARIABLES)})")
    return names


_ORIGIN = re.compile(r"^https?://[^/\s?#]+$")


def _origins(raw: str) -> tuple[str, ...]:
    """Browser origins as a browser sends them: scheme and host (and port), no path, no slash."""
    origins = _csv(raw)
    for origin in origins:
        if origin != "*" and not _ORIGIN.match(origin):
            raise ValueError(
                f"'{origin}' is not an origin like https://app.example.com (no path or trailing /)"
            )
    return origins


def _regex(raw: str) -> str:
    try:
        re.compile(raw)
    except re.error as exc:
        raise ValueError(f"not a regular expression ({exc})") from None
    return raw


# S3 and Cloud Storage agree on lower-case letters, digits, dots and dashes (Cloud Storage also
# allows underscores), 3 to 63 characters, starting and ending with a letter or digit.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")


def _bucket_name(raw: str) -> str:
    if not _BUCKET.match(raw):
        raise ValueError(f"'{raw}' is not a bucket name")
    return raw


def _key_prefix(raw: str) -> str:
    """A folder inside the bucket: "articles/" (a trailing slash is added), or empty."""
    prefix = raw.strip("/")
    return f"{prefix}/" if prefix else ""


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def _http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return raw


def _role_name(raw: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", raw):
        raise ValueError("must be a lower-case PostgreSQL role name (letters, digits, _)")
    return raw


def _pem_certificate(raw: str) -> str:
    if "-----BEGIN CERTIFICATE-----" not in raw:
        raise ValueError("must be a PEM certificate (-----BEGIN CERTIFICATE-----)")
    return raw


def _email(raw: str) -> str:
    if "@" not in raw:
        raise ValueError("must be an e-mail address")
    return raw


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return raw

    return parse
