"""`dovvy telegram`: register the deployed bot's webhook and commands with Telegram, or talk to the
bot from a phone without deploying (`poll`: long polling against the Bot API, answered by this
machine's gateway code and embedded database)."""

from __future__ import annotations

import argparse
from typing import Any

from dovvy.config import Settings
from dovvy.errors import ConfigError

# What the bot handles; Telegram sends nothing else (edits, reactions, group joins...).
ALLOWED_UPDATES = ["message", "callback_query"]
# Updates Telegram sends at once: one instance's share of the database pool on GCP (profile.tf).
MAX_CONNECTIONS = 8


def _api(settings: Settings) -> Any:
    from dovvy.telegram_api import BotApi

    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (BotFather gives it when the bot is created)")
    return BotApi(settings.telegram_bot_token, base_url=settings.telegram_api_base_url, timeout=40)


def _register_commands(api: Any) -> None:
    api.call("setMyCommands", commands=[{"command": c, "description": d} for c, d in _commands()])


def cmd_webhook(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_webhook_secret is None:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is not set (the deployment's secret: Telegram sends it back)"
        )
    api = _api(settings)
    api.call(
        "setWebhook",
        url=args.url,
        secret_token=settings.telegram_webhook_secret.reveal(),
        allowed_updates=ALLOWED_UPDATES,
        max_connections=MAX_CONNECTIONS,
        drop_pending_updates=args.drop_pending,
    )
    _register_commands(api)
    info = api.call("getWebhookInfo")
    print(f"webhook: {info.get('url')} ({info.get('pending_update_count', 0)} updates waiting)")
    print("commands registered: " + " ".join(f"/{c[0]}" for c in _commands()))
    return 0


def _commands() -> tuple[tuple[str, str], ...]:
    from dovvy.telegram.bot import COMMANDS

    return COMMANDS


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import set_up
    from dovvy.runtime import Runtime, telegram_bot

    api = _api(settings)
    settings, ingested = set_up(settings)
    print(f"knowledge base: {ingested}", flush=True)
    runtime = Runtime(settings.with_local_limits())
    bot = telegram_bot(runtime)
    # getUpdates is refused while a webhook is set: polling takes the bot over (`webhook` gives it back).
    api.call("deleteWebhook", drop_pending_updates=False)
    _register_commands(api)
    me = api.call("getMe")
    print(f"polling as @{me.get('username')}; send it a message (Ctrl-C stops)", flush=True)
    offset = 0
    handled = 0
    try:
        while args.max_updates is None or handled < args.max_updates:
            updates = api.call(
                "getUpdates", offset=offset, timeout=args.timeout, allowed_updates=ALLOWED_UPDATES
            )
            for update in updates:
                offset = max(offset, int(update["update_id"]) + 1)
                bot.handle(update)
                handled += 1
    finally:
        runtime.close()
    return 0


def add_commands(sub: Any) -> None:
    telegram = sub.add_parser("telegram", help="the Telegram bot").add_subparsers(
        dest="telegram_command", required=True
    )
    webhook = telegram.add_parser("webhook", help="point Telegram at the deployed webhook, with the secret")
    webhook.add_argument("--url", required=True, help="https://.../telegram/webhook (the gateway's URL)")
    webhook.add_argument("--drop-pending", action="store_true", help="forget updates sent before now")
    webhook.set_defaults(func=cmd_webhook)
    poll = telegram.add_parser("poll", help="talk to the bot from your phone, answered on this machine")
    poll.add_argument("--timeout", type=int, default=30, help="seconds each long poll waits")
    poll.add_argument("--max-updates", type=int, default=None, help="stop after this many (tests)")
    poll.set_defaults(func=cmd_poll)
