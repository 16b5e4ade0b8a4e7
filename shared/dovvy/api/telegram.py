"""`POST /telegram/webhook`: Telegram's updates for the bot. The secret token Telegram sends with
each update (set with `setWebhook`) is checked first, in constant time: without it, 401 and nothing
read. An accepted update is always answered 200, whatever happens to it, since Telegram would
otherwise send it again and again; `TelegramBot.handle` processes each update id once."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dovvy import error_tracking
from dovvy.errors import Unauthorized
from dovvy.runtime import telegram_bot
from dovvy.web.app import runtime_of

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret


def _bot(request: Request) -> Any:
    bot = getattr(request.app.state, "telegram_bot", None)
    if bot is None:
        bot = request.app.state.telegram_bot = telegram_bot(runtime_of(request))
    return bot


def _expected_secret(request: Request) -> str:
    """The webhook's secret; "" when none is configured or its secret holds no value yet (then no
    request is accepted, an empty header included)."""
    secret = runtime_of(request).settings.telegram_webhook_secret
    return "" if secret is None else secret.reveal()


async def webhook(request: Request) -> Response:
    expected = await run_in_threadpool(_expected_secret, request)
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized()
    try:
        update = json.loads(await request.body())
    except ValueError:
        update = None
    if not isinstance(update, dict):
        return JSONResponse({"ok": True})  # nothing Telegram would send; nothing to retry either
    bot = _bot(request)
    try:
        await run_in_threadpool(bot.handle, update)
    except Exception as exc:  # answered 200 all the same: a retry would fail the same way
        log.exception("telegram update failed", extra={"update_id": update.get("update_id")})
        error_tracking.capture(exc, "POST /telegram/webhook")
        await error_tracking.flush_from_async()
    return JSONResponse({"ok": True})


routes = [Route("/telegram/webhook", webhook, methods=["POST"])]
