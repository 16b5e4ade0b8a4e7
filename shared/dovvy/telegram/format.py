"""Answers in Telegram's HTML parse mode. The chat's answers are light Markdown (**bold**, an
_italic_ line, [links](url), numbered lists); every other character of them, and of anything a user
or an article wrote, is escaped, so no text can open a tag. Long answers become several messages,
split between paragraphs, then lines, then words, each within Telegram's limit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from dovvy.telegram_api import MESSAGE_LIMIT

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC_LINE = re.compile(r"^_(?=\S)(.+?)(?<=\S)_$", re.M)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.+)$", re.M)


def html(markdown: str) -> str:
    """The answer's Markdown as Telegram HTML; any text outside that Markdown is escaped."""
    links: list[str] = []

    def keep_link(found: re.Match[str]) -> str:
        links.append(f'<a href="{escape(found.group(2))}">{escape(found.group(1), quote=False)}</a>')
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, markdown)
    text = escape(text, quote=False)
    text = _HEADING.sub(r"<b>\1</b>", text)
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _ITALIC_LINE.sub(r"<i>\1</i>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], text)


def _pieces(paragraph: str, limit: int) -> list[str]:
    """A paragraph too long for one message, as pieces whose HTML fits: by lines, then words."""
    for separator in ("\n", " "):
        parts = paragraph.split(separator)
        if len(parts) > 1:
            return _packed(parts, separator, limit)
    step = max(1, limit // 6)  # a single "word" longer than a message: at worst each & is 5 more
    return [html(paragraph[i : i + step]) for i in range(0, len(paragraph), step)]


def _packed(parts: Sequence[str], separator: str, limit: int) -> list[str]:
    messages: list[str] = []
    current = ""
    for part in parts:
        joined = f"{current}{separator}{part}" if current else part
        if len(html(joined)) <= limit:
            current = joined
            continue
        if current:
            messages.append(html(current))
        if len(html(part)) <= limit:
            current = part
        else:
            messages.extend(_pieces(part, limit))
            current = ""
    if current:
        messages.append(html(current))
    return messages


def messages(markdown: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The answer as Telegram messages in HTML, each at most `limit` characters, split between
    paragraphs where it can be."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", markdown) if p.strip()]
    return _packed(paragraphs, "\n\n", limit) if paragraphs else []


def sources(cited: Sequence[dict[str, Any]]) -> str:
    """The articles an answer comes from, one line each, linked to their own sources when an
    article lists a web page."""
    lines = []
    for source in cited:
        title = escape(str(source.get("title") or source.get("path")), quote=False)
        links = [u for u in source.get("sources") or [] if str(u).startswith(("https://", "http://"))]
        lines.append(f'• <a href="{escape(str(links[0]))}">{title}</a>' if links else f"• {title}")
    return "<b>Sources</b>\n" + "\n".join(dict.fromkeys(lines)) if lines else ""
