"""Telegram's Bot API over HTTPS: the few methods the bot calls, as JSON posts to
`{TELEGRAM_API_BASE_URL}/bot<token>/<method>`. Our own small client over httpx (already in the chat
bundle): the maintained libraries are asynchronous frameworks with their own dispatch, several
megabytes and a slower cold start for the five calls a webhook makes (docs/telegram.md).

The token is part of every URL: no URL, request or httpx error is ever logged or raised as it is."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from dovvy.config import Secret

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.telegram.org"
# Telegram's limit for one message's text, after entities are parsed.
MESSAGE_LIMIT = 4096


class TelegramError(Exception):
    """A Bot API call failed; the message holds the method and Telegram's description, never the
    token."""


def _kind(description: str) -> str:
    """Telegram's description without its details ("Bad Request: can't parse entities: <where>"):
    the details can quote the message, and errors are logged."""
    return ":".join(description.split(":")[:2])[:80]


class BotApi:
    def __init__(self, token: Secret, *, base_url: str | None = None, timeout: float = 10.0) -> None:
        self._token = token
        self._base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._http = httpx.Client(timeout=timeout)

    def call(self, method: str, **params: Any) -> Any:
        """The `result` of one Bot API method; raises TelegramError."""
        body = {k: v for k, v in params.items() if v is not None}
        try:
            response = self._http.post(f"{self._base_url}/bot{self._token.reveal()}/{method}", json=body)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise TelegramError(f"{method}: {type(exc).__name__}") from None
        if not isinstance(answer, dict) or not answer.get("ok"):
            description = answer.get("description", "no description") if isinstance(answer, dict) else "?"
            raise TelegramError(f"{method}: {response.status_code} {_kind(str(description))}")
        return answer.get("result")

    def send_message(
        self, chat_id: int, text: str, *, keyboard: list[list[dict[str, str]]] | None = None
    ) -> Any:
        markup = {"inline_keyboard": keyboard} if keyboard else None
        return self.call(
            "sendMessage",
            chat_id=chat_id,
            text=text,
            parse_mode="HTML",
            link_preview_options={"is_disabled": True},
            reply_markup=markup,
        )

    def typing(self, chat_id: int) -> None:
        try:
            self.call("sendChatAction", chat_id=chat_id, action="typing")
        except TelegramError as exc:
            log.info("typing action not sent", extra={"error": str(exc)})  # cosmetic: carry on

    def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        self.call("answerCallbackQuery", callback_query_id=callback_id, text=text)

    def close(self) -> None:
        self._http.close()
