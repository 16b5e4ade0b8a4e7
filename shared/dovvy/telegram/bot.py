"""The bot: a Telegram update in, Bot API calls out. A private chat's text goes through the same
chat turn as the web app (safety first, then routing, retrieval and the model chain), in a session
of its own; commands and buttons drive the lead form and erasing the chat. Groups, channels, edited
messages and anything but text get a short reply or nothing; nothing here raises to the webhook."""

from __future__ import annotations

import logging
from typing import Any

from dovvy import limits
from dovvy.chat.orchestrator import ChatService
from dovvy.chat.safety import check
from dovvy.chat.turn import ChatTurn
from dovvy.config import Settings
from dovvy.db import counters
from dovvy.db import telegram as repo
from dovvy.db.pool import Connection, Pool
from dovvy.errors import SessionExpired, SessionNotFound
from dovvy.lead_intake import LeadForm, take
from dovvy.notify import LeadNotifier, deliver
from dovvy.sessions import Sessions
from dovvy.telegram import format, lead_flow
from dovvy.telegram_api import BotApi

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", "What DovvyBuddy can do"),
    ("help", "How to use DovvyBuddy"),
    ("newchat", "Start a new conversation"),
    ("training", "Ask a dive shop about a course"),
    ("trip", "Ask a dive shop about a dive trip"),
    ("cancel", "Stop the request you are filling in"),
    ("delete", "Erase this conversation and what DovvyBuddy knows about you"),
)
WELCOME = (
    "Hi, I'm <b>DovvyBuddy</b>, a scuba-diving assistant. Ask me about certifications, dive sites, "
    "trips and safety; I answer from a curated knowledge base. When you are ready, I can pass your "
    "request to a dive shop (/training or /trip).\n\nTry:\n"
    "• How deep can I go with Open Water?\n• When is the best season for Tioman?\n"
    "• How long after diving can I fly?\n\n"
    "<i>If someone is hurt or missing, write it plainly: I answer emergencies first.</i>"
)
ONLY_TEXT = "I can only read text messages for now. Please type your question."
SLOW_DOWN = "You're sending messages quickly. Please wait a minute and try again."
_YES_NO_DELETE = [
    [{"text": "Yes, erase it", "callback_data": "delete:yes"}, {"text": "No", "callback_data": "delete:no"}]
]
_CONFIRM_LEAD = [
    [
        {"text": "Confirm", "callback_data": "lead:confirm"},
        {"text": "Edit", "callback_data": "lead:edit"},
        {"text": "Cancel", "callback_data": "lead:cancel"},
    ]
]


def _who(user: dict[str, Any], chat_id: int) -> str:
    """The Telegram account as the counters name it (hashed, as the web's clients are)."""
    return limits.subject(f"telegram:{user.get('id', chat_id)}")


def _new_conversation(conn: Connection, chat_id: int) -> None:
    repo.set_session(conn, chat_id, None)
    repo.set_flow(conn, chat_id, {})


class TelegramBot:
    def __init__(
        self,
        *,
        chat: ChatService,
        sessions: Sessions,
        pool: Pool,
        api: BotApi,
        settings: Settings,
        notifiers: list[LeadNotifier],
    ) -> None:
        self.chat = chat
        self.sessions = sessions
        self.pool = pool
        self.api = api
        self.settings = settings
        self.notifiers = notifiers

    # --- updates ------------------------------------------------------------------------------

    def handle(self, update: dict[str, Any]) -> None:
        """Process an update once, whatever Telegram retries."""
        update_id = update.get("update_id")
        if not isinstance(update_id, int) or not self.pool.run(lambda c: repo.claim_update(c, update_id)):
            return
        if isinstance(update.get("callback_query"), dict):
            self._callback(update["callback_query"])
            return
        message = update.get("message")
        if not isinstance(message, dict) or (message.get("chat") or {}).get("type") != "private":
            return  # edited messages, channel posts, groups: not a conversation with us
        chat_id = int(message["chat"]["id"])
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            self.api.send_message(chat_id, ONLY_TEXT)
            return
        if self._over_limit(message.get("from") or {}, chat_id):
            return
        if text.startswith("/"):
            self._command(chat_id, text, message.get("from") or {})
            return
        flow = self._live_flow(chat_id)
        if "lead" in flow:
            self._lead_answer(chat_id, flow, text)
            return
        self._chat(chat_id, text.strip()[:2000], message.get("from") or {})

    def _live_flow(self, chat_id: int) -> dict[str, Any]:
        """The chat's lead form under way; one whose session has expired expires with it."""
        chat = self.pool.run(lambda c: repo.chat(c, chat_id))
        if "lead" not in chat.flow:
            return chat.flow
        try:
            if chat.session_id is not None:
                self.sessions.get(chat.session_id)
                return chat.flow
        except (SessionExpired, SessionNotFound):
            pass
        self._save_flow(chat_id, {})
        return {}

    def _over_limit(self, user: dict[str, Any], chat_id: int) -> bool:
        """Ten messages a minute per Telegram user; the first one over gets a friendly word."""
        if not self.settings.rate_limits:
            return False
        bump = counters.Bump(f"telegram-minute:{_who(user, chat_id)}", 60)
        (count,) = self.pool.run(lambda c: counters.bump(c, [bump]))
        allowed = self.settings.rate_telegram_per_minute
        if count.count == allowed + 1:
            self.api.send_message(chat_id, SLOW_DOWN)
        return bool(count.count > allowed)

    # --- the conversation ---------------------------------------------------------------------

    def _session_id(self, chat_id: int, *, fresh: bool = False) -> Any:
        def find(conn: Any) -> Any:
            return repo.chat(conn, chat_id).session_id

        session_id = None if fresh else self.pool.run(find)
        if session_id is None:
            session_id = self.sessions.create({}, channel="telegram").id
            self.pool.run(lambda c: repo.set_session(c, chat_id, session_id))
        return session_id

    def _chat(self, chat_id: int, text: str, user: dict[str, Any]) -> None:
        # An emergency's protocol is the first thing sent: no typing action before it.
        if not check(text).emergency:
            self.api.typing(chat_id)
        # The model budget follows the Telegram account, not the chat's current session.
        subject = f"telegram:{_who(user, chat_id)}"
        session_id = self._session_id(chat_id)
        try:
            final = self.chat.answer(ChatTurn(text, session_id=session_id, budget_subject=subject))
        except (SessionExpired, SessionNotFound):
            fresh = self._session_id(chat_id, fresh=True)
            final = self.chat.answer(ChatTurn(text, session_id=fresh, budget_subject=subject))
        for piece in format.messages(final["message"]):
            self.api.send_message(chat_id, piece)
        extra = []
        if final["agentType"] != "emergency" and final["sources"]:
            extra.append(format.sources(final["sources"]))
        if final.get("followUpQuestion"):
            extra.append(format.html(final["followUpQuestion"]))
        suggestion = final.get("leadSuggestion")
        keyboard = None
        if suggestion:
            kind = suggestion["type"]
            label = (
                "Ask a dive shop about this course"
                if kind == "training"
                else "Ask a dive shop about this trip"
            )
            keyboard = [[{"text": label, "callback_data": f"lead:{kind}"}]]
        if extra or keyboard:
            self.api.send_message(
                chat_id, "\n\n".join(extra) or "Want a dive shop to get back to you?", keyboard=keyboard
            )

    # --- commands and buttons -----------------------------------------------------------------

    def _command(self, chat_id: int, text: str, user: dict[str, Any]) -> None:
        name = text.split(maxsplit=1)[0].lstrip("/").split("@")[0].lower()
        if name in ("start", "help"):
            self.api.send_message(chat_id, WELCOME)
        elif name == "newchat":
            self.pool.run(lambda c: _new_conversation(c, chat_id))
            self.api.send_message(chat_id, "New conversation started. What would you like to know?")
        elif name == "cancel":
            self.pool.run(lambda c: repo.set_flow(c, chat_id, {}))
            self.api.send_message(chat_id, "Cancelled. Ask me anything about diving.")
        elif name in ("training", "trip"):
            self._lead_start(chat_id, name)
        elif name == "delete":
            self.api.send_message(
                chat_id,
                "Erase this conversation and everything DovvyBuddy keeps about this chat?",
                keyboard=_YES_NO_DELETE,
            )
        else:
            self.api.send_message(chat_id, "I don't know that command. /help lists what I can do.")

    def _callback(self, query: dict[str, Any]) -> None:
        data = str(query.get("data") or "")
        chat_id = ((query.get("message") or {}).get("chat") or {}).get("id")
        self.api.answer_callback(str(query.get("id")))
        if not isinstance(chat_id, int):
            return
        if data == "delete:yes":
            self.pool.run(lambda c: repo.forget(c, chat_id))
            self.api.send_message(chat_id, "Erased. Send a message any time to start again.")
        elif data == "delete:no":
            self.api.send_message(chat_id, "Nothing was erased.")
        elif data in ("lead:training", "lead:trip"):
            self._lead_start(chat_id, data.split(":")[1])
        elif data in ("lead:confirm", "lead:edit", "lead:cancel"):
            self._lead_button(chat_id, data.split(":")[1], query.get("from") or {})

    # --- the lead form ------------------------------------------------------------------------

    def _save_flow(self, chat_id: int, flow: dict[str, Any]) -> None:
        self.pool.run(lambda c: repo.set_flow(c, chat_id, flow))

    def _say_step(self, chat_id: int, step: lead_flow.Step) -> None:
        self._save_flow(chat_id, step.flow)
        done = lead_flow.question(step.flow) is None
        self.api.send_message(chat_id, format.html(step.text), keyboard=_CONFIRM_LEAD if done else None)

    def _lead_start(self, chat_id: int, kind: str) -> None:
        """A new form in the chat's live session (a new one if it has none): the form expires with
        it, and starts with what the diver's profile already holds."""
        try:
            known = self.sessions.get(self._session_id(chat_id)).diver_profile
        except (SessionExpired, SessionNotFound):
            self._session_id(chat_id, fresh=True)
            known = {}
        self._say_step(chat_id, lead_flow.start(kind, known))

    def _lead_answer(self, chat_id: int, flow: dict[str, Any], text: str) -> None:
        self._say_step(chat_id, lead_flow.answer(flow, text))

    def _lead_button(self, chat_id: int, action: str, user: dict[str, Any]) -> None:
        chat = self.pool.run(lambda c: repo.chat(c, chat_id))
        if "lead" not in chat.flow:
            self.api.send_message(
                chat_id, "That request is no longer open. /training or /trip starts a new one."
            )
            return
        if action == "cancel":
            self._save_flow(chat_id, {})
            self.api.send_message(chat_id, "Cancelled; nothing was sent.")
        elif action == "edit":
            self._say_step(chat_id, lead_flow.edit(chat.flow))
        elif lead_flow.question(chat.flow) is None:
            self._send_lead(chat_id, chat.flow, chat.session_id, user)

    def _send_lead(self, chat_id: int, flow: dict[str, Any], session_id: Any, user: dict[str, Any]) -> None:
        lead = flow["lead"]
        form = LeadForm(
            type=lead["type"],
            data=lead_flow.form_data(flow),
            session_id=session_id,
            idempotency_key=f"telegram-{lead['id']}",
            channel="telegram",
            channel_details={"telegram": {"id": user.get("id"), "username": user.get("username")}},
        )
        taken = take(
            self.pool, form, dedupe_minutes=self.settings.lead_dedupe_minutes, notifying=bool(self.notifiers)
        )
        self._save_flow(chat_id, {})
        self.api.send_message(chat_id, "Sent. The dive shop will get back to you by e-mail soon.")
        if taken.notify:
            deliver(self.pool, self.notifiers, taken.lead_id)
