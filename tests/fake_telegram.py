"""A fake of Telegram's Bot API on loopback: every call recorded (method, JSON body), and the text
of `parse_mode: HTML` messages parsed as Telegram parses it: only its tags, properly nested, only
the four named entities (and numeric ones), at most 4,096 characters of text once parsed. A message
Telegram would refuse is refused the same way (400, "can't parse entities")."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_server import send_json, serving

TOKEN = "123456:TEST-token-for-the-fake"
# Telegram's HTML parse mode: these tags, <a href>, and <span class="tg-spoiler">.
_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
}
_TOKEN_RE = re.compile(
    r"<(/?)([a-z-]+)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]"
)


def parsed_text(markup: str) -> str:
    """The text Telegram would show for `markup`; ValueError where Telegram would refuse it."""
    open_tags: list[str] = []
    text: list[str] = []
    position = 0
    for found in _TOKEN_RE.finditer(markup):
        text.append(markup[position : found.start()])
        position = found.end()
        token = found.group(0)
        if token in "<>&":
            raise ValueError(f"unescaped {token!r} at {found.start()}")
        if token.startswith("&"):
            text.append(html.unescape(token))
            continue
        closing, name = found.group(1), found.group(2)
        if name not in _TAGS:
            raise ValueError(f"unsupported tag <{name}>")
        if closing:
            if not open_tags or open_tags.pop() != name:
                raise ValueError(f"unexpected end tag </{name}>")
        else:
            open_tags.append(name)
    text.append(markup[position:])
    if open_tags:
        raise ValueError(f"unclosed <{open_tags[-1]}>")
    return "".join(text)


@dataclass
class Call:
    method: str
    body: dict[str, Any]


@dataclass
class FakeTelegram:
    base_url: str = ""
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # what getUpdates hands out
    refuse: str = ""  # when set, sendMessage answers 400 with this description
    webhook: str = ""

    def result(self, method: str, body: dict[str, Any]) -> Any:
        if method == "sendMessage":
            return {"message_id": len(self.calls)}
        if method == "getUpdates":
            return [u for u in self.updates if u["update_id"] >= body.get("offset", 0)][:100]
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "DovvyBuddy", "username": "dovvy_test_bot"}
        if method == "setWebhook":
            self.webhook = body["url"]
        if method == "deleteWebhook":
            self.webhook = ""
        if method == "getWebhookInfo":
            return {"url": self.webhook, "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.method == method]

    def texts(self) -> list[str]:
        return [parsed_text(body["text"]) for body in self.sent()]


@contextmanager
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if match is None or match.group(1) != TOKEN:
                self._answer(
                    404 if match is None else 401,
                    {"ok": False, "error_code": 401, "description": "Unauthorized"},
                )
                return
            method = match.group(2)
            fake.calls.append(Call(method, body))
            if method == "sendMessage" and fake.refuse:
                self._answer(400, {"ok": False, "error_code": 400, "description": fake.refuse})
                return
            if method == "sendMessage" and body.get("parse_mode") == "HTML":
                try:
                    shown = parsed_text(body["text"])
                except ValueError as exc:
                    self._answer(
                        400,
                        {
                            "ok": False,
                            "error_code": 400,
                            "description": f"Bad Request: can't parse entities: {exc}",
                        },
                    )
                    return
                if not shown.strip() or len(shown) > 4096:
                    self._answer(
                        400,
                        {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"},
                    )
                    return
            self._answer(200, {"ok": True, "result": fake.result(method, body)})

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            send_json(self, status, payload)

    with serving(Handler) as url:
        fake.base_url = url
        yield fake
