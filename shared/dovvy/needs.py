"""What each deployed function needs from its configuration, checked when it starts.

A function whose configuration cannot work refuses to start with the variable named (Lambda's init
fails, Cloud Run's revision never becomes ready, Terraform's migrate invocation fails the apply)
instead of answering every request with an error. Each function is checked for what it uses only:
the session function starts without the model keys it never reads.
"""

from __future__ import annotations

import dataclasses
import importlib.util

from dovvy.config import Settings
from dovvy.env_values import MODEL_KEY_VARIABLES
from dovvy.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Needs:
    database: bool = True
    embedder: bool = False  # reads or writes the knowledge base's vectors
    models: bool = False  # calls the hosted chat models
    notifies: bool = False  # sends leads to the dive shop
    app_role: bool = False  # creates the role the other functions sign in as
    content: bool = False  # handles the knowledge base bucket's events
    telegram: bool = False  # the Telegram bot: its token and the webhook's secret


NEEDS: dict[str, Needs] = {
    "session": Needs(),
    "lead": Needs(notifies=True),
    "chat": Needs(embedder=True, models=True),
    "ingest": Needs(embedder=True, content=True),
    "migrate": Needs(app_role=True),
    "jobs": Needs(notifies=True),
    "telegram": Needs(embedder=True, models=True, notifies=True, telegram=True),
}


def offline_embedder_available() -> bool:
    # The deployed bundles leave the offline embedder (its model, numpy) out: scripts/package_functions.py.
    return importlib.util.find_spec("wordllama") is not None


def check(settings: Settings, *functions: str, deployed: bool = True) -> None:
    """Raise ConfigError naming the first variable that stops one of `functions` from working.

    `deployed=False` for local work (the CLI, the gateway): an unset DATABASE_URL means the embedded
    server, no storage events arrive, so no CONTENT_BUCKET is needed, and the Telegram bot is
    optional (its webhook answers 401 until both of its variables are set).
    """
    needs = [NEEDS[name] for name in functions]
    if deployed and any(n.database for n in needs):
        _check_database(settings)
    if any(n.models for n in needs):
        _check_models(settings)
    if any(n.embedder for n in needs):
        _check_embedder(settings)
    if any(n.notifies for n in needs):
        _check_notifiers(settings)
    if deployed and any(n.telegram for n in needs):
        _check_telegram(settings)
    if deployed and any(n.content for n in needs) and settings.content_bucket is None:
        # Without it, an event naming any bucket would be read and stored.
        raise ConfigError("CONTENT_BUCKET is not set (the bucket whose events the ingest function handles)")
    if (
        any(n.app_role for n in needs)
        and settings.database_app_user
        and settings.database_app_password is None
    ):
        raise ConfigError("DATABASE_APP_PASSWORD is required when DATABASE_APP_USER is set")


def _check_database(settings: Settings) -> None:
    if settings.database_url is None:
        raise ConfigError("DATABASE_URL is not set")
    if not settings.database_url.is_reference:
        from dovvy.db.url import parse_database_url

        parse_database_url(settings.database_url.reveal())


def _check_models(settings: Settings) -> None:
    # Settings.from_env has already refused names other than these.
    keys = {"groq": settings.groq_api_key, "gemini": settings.gemini_api_key}
    for name in settings.llm_providers:
        if keys[name] is None:
            raise ConfigError(f"LLM_PROVIDERS lists {name} but {MODEL_KEY_VARIABLES[name]} is not set")


def _check_embedder(settings: Settings) -> None:
    from dovvy.providers.embeddings import chosen_provider

    kind = chosen_provider(settings)
    if kind == "gemini" and settings.gemini_api_key is None:
        raise ConfigError("GEMINI_API_KEY is required when EMBEDDING_PROVIDER=gemini")
    if kind == "offline" and not offline_embedder_available():
        raise ConfigError(
            "EMBEDDING_PROVIDER: no GEMINI_API_KEY, and the offline embedder is not in this bundle "
            "(deployed functions embed with Gemini: set GEMINI_API_KEY)"
        )


def _check_telegram(settings: Settings) -> None:
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (BotFather gives it when the bot is created)")
    if settings.telegram_webhook_secret is None:
        # Without it anyone who finds the URL could post updates as Telegram.
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET is not set (the secret token given to setWebhook)")


def _check_notifiers(settings: Settings) -> None:
    if settings.lead_webhook_url and settings.lead_webhook_secret is None:
        raise ConfigError("LEAD_WEBHOOK_SECRET is required when LEAD_WEBHOOK_URL is set")
    if settings.lead_email_to and not settings.lead_email_from:
        raise ConfigError("LEAD_EMAIL_FROM is required when LEAD_EMAIL_TO is set")
