"""Settings: one typed, immutable object built from a mapping (normally the process environment)."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from dovvy import env_values as values
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
    release: str | None = None
    log_level: str = "INFO"
    sentry_dsn: str | None = None
    sentry_sample_rate: float = 1.0
    sentry_traces_sample_rate: float = 0.0
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
    telegram_bot_token: Secret | None = None
    telegram_webhook_secret: Secret | None = None
    telegram_api_base_url: str | None = None
    rate_telegram_per_minute: int = 10

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` (the process environment when omitted).

        Every problem names its variable, so a bad deployment fails at start-up with a clear line.
        """
        env = _Env(os.environ if environ is None else environ)
        read: dict[str, Any] = {field: env.get(name, parse, None) for field, name, parse in _VARIABLES}
        read |= {field: env.secret(name) for field, name in _SECRETS}
        read["gemini_api_key"] = env.secret("GEMINI_API_KEY") or env.secret("GOOGLE_API_KEY")
        return cls(**{field: value for field, value in read.items() if value is not None})

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


# (setting, variable, how its text is read), in the order problems are reported. An unset or empty
# variable leaves the setting's default above.
_VARIABLES: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("database_ca_cert", "DATABASE_CA_CERT", values.pem_certificate),
    ("database_app_user", "DATABASE_APP_USER", values.role_name),
    ("data_dir", "DOVVY_DATA_DIR", Path),
    ("content_dir", "DOVVY_CONTENT_DIR", Path),
    ("seed_file", "DOVVY_SEED_FILE", Path),
    ("host", "HOST", str),
    ("port", "PORT", values.port_number),
    ("environment", "DOVVY_ENV", str),
    ("release", "DOVVY_RELEASE", str),
    ("log_level", "LOG_LEVEL", values.log_level),
    ("sentry_dsn", "SENTRY_DSN", values.sentry_dsn),
    ("sentry_sample_rate", "SENTRY_SAMPLE_RATE", values.fraction),
    ("sentry_traces_sample_rate", "SENTRY_TRACES_SAMPLE_RATE", values.fraction),
    ("session_expiry_hours", "SESSION_EXPIRY_HOURS", values.positive_int),
    ("max_body_bytes", "MAX_BODY_BYTES", values.positive_int),
    ("public_url", "PUBLIC_URL", values.http_url),
    ("cors_origins", "CORS_ORIGINS", values.origins),
    ("cors_origin_regex", "CORS_ORIGIN_REGEX", values.regex),
    ("lead_dedupe_minutes", "LEAD_DEDUPE_MINUTES", values.non_negative_int),
    ("content_bucket", "CONTENT_BUCKET", values.bucket_name),
    ("content_prefix", "CONTENT_PREFIX", values.key_prefix),
    ("rate_limits", "RATE_LIMITS", values.flag),
    ("trusted_proxy_hops", "TRUSTED_PROXY_HOPS", values.non_negative_int),
    ("rate_chat_per_minute", "RATE_CHAT_PER_MINUTE", values.positive_int),
    ("rate_chat_per_day", "RATE_CHAT_PER_DAY", values.positive_int),
    ("rate_chat_per_session_minute", "RATE_CHAT_PER_SESSION_MINUTE", values.positive_int),
    ("rate_leads_per_hour", "RATE_LEADS_PER_HOUR", values.positive_int),
    ("rate_sessions_per_hour", "RATE_SESSIONS_PER_HOUR", values.positive_int),
    ("model_tokens_per_day", "MODEL_TOKENS_PER_DAY", values.positive_int),
    ("model_tokens_per_session_day", "MODEL_TOKENS_PER_SESSION_DAY", values.positive_int),
    ("db_pool_size", "DB_POOL_SIZE", values.positive_int),
    ("db_ping_after_seconds", "DB_PING_AFTER_SECONDS", values.non_negative_float),
    ("db_timeout_seconds", "DB_TIMEOUT_SECONDS", values.positive_float),
    ("lead_webhook_url", "LEAD_WEBHOOK_URL", values.http_url),
    ("lead_email_to", "LEAD_EMAIL_TO", values.email),
    ("lead_email_from", "LEAD_EMAIL_FROM", values.email),
    ("lead_email_region", "LEAD_EMAIL_REGION", str),
    ("notify_timeout_seconds", "NOTIFY_TIMEOUT_SECONDS", values.positive_float),
    ("notify_max_attempts", "NOTIFY_MAX_ATTEMPTS", values.positive_int),
    ("embedding_provider", "EMBEDDING_PROVIDER", values.choice("auto", "gemini", "offline")),
    ("llm_providers", "LLM_PROVIDERS", values.providers),
    ("groq_model", "GROQ_MODEL", str),
    ("gemini_model", "GEMINI_MODEL", str),
    ("gemini_embedding_model", "GEMINI_EMBEDDING_MODEL", str),
    ("llm_timeout_seconds", "LLM_TIMEOUT_SECONDS", values.positive_float),
    ("provider_max_retries", "PROVIDER_MAX_RETRIES", values.non_negative_int),
    ("llm_routing", "LLM_ROUTING", values.flag),
    ("router_timeout_seconds", "ROUTER_TIMEOUT_SECONDS", values.positive_float),
    ("chat_deadline_seconds", "CHAT_DEADLINE_SECONDS", values.positive_float),
    ("gemini_base_url", "GEMINI_BASE_URL", values.http_url),
    ("groq_base_url", "GROQ_BASE_URL", values.http_url),
    ("telegram_api_base_url", "TELEGRAM_API_BASE_URL", values.http_url),
    ("rate_telegram_per_minute", "RATE_TELEGRAM_PER_MINUTE", values.positive_int),
)
# (setting, variable) read as secrets: a value, or a reference to a secret manager's entry.
_SECRETS = (
    ("database_url", "DATABASE_URL"),
    ("database_app_password", "DATABASE_APP_PASSWORD"),
    ("lead_webhook_secret", "LEAD_WEBHOOK_SECRET"),
    ("groq_api_key", "GROQ_API_KEY"),
    ("telegram_bot_token", "TELEGRAM_BOT_TOKEN"),
    ("telegram_webhook_secret", "TELEGRAM_WEBHOOK_SECRET"),
)
