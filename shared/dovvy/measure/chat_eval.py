"""`dovvy eval chat`: scripted conversations through the real chat service, scored per check."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Any

from dovvy.chat.orchestrator import ChatService
from dovvy.chat.turn import ChatTurn
from dovvy.db import sessions as sessions_repo


@dataclasses.dataclass
class CheckResult:
    conversation: str
    turn: int
    check: str
    passed: bool
    detail: str = ""


def load_conversations(path: Path, split: str = "all") -> list[dict[str, Any]]:
    """The conversations in `path`; with `split` "dev" or "test", only those the fixed rule
    (`dovvy.splits`) puts there."""
    from dovvy.splits import split_of

    conversations = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            item = json.loads(line)
            if "question" in item:
                item = _one_turn(item)
            if not item.get("id") or not item.get("turns"):
                raise ValueError(f"{path}:{number}: needs 'id' and 'turns'")
            if split in ("all", split_of(str(item["id"]))):
                conversations.append(item)
    return conversations


def _one_turn(item: dict[str, Any]) -> dict[str, Any]:
    """A question of the retrieval set (tests/eval/retrieval.jsonl) asked through the whole chat:
    its expected articles cited, or none for an out-of-scope question; split as the retrieval
    evaluation splits it (by the question's text)."""
    expected = item.get("expected") or []
    expect = {"sources_any": expected} if expected else {"sources_none": True}
    return {"id": item["question"], "turns": [{"user": item["question"], "expect": expect}]}


def _checks(expect: dict[str, Any], answer: dict[str, Any]) -> list[tuple[str, bool, str]]:
    results: list[tuple[str, bool, str]] = []
    text = answer["message"].lower()
    paths = [s["path"] for s in answer["sources"]]
    if "agentType" in expect:
        results.append(("agent", answer["agentType"] == expect["agentType"], answer["agentType"]))
    if "sources_any" in expect:
        kept = any(p in paths for p in expect["sources_any"])
        results.append(("kept", kept, ", ".join(paths)))
        first = re.search(r"\[(\d+)\]$", answer["message"], re.M)
        if kept and first and int(first.group(1)) <= len(paths):
            led = paths[int(first.group(1)) - 1]
            results.append(("first_sentence", led in expect["sources_any"], led))
    if expect.get("sources_none"):
        results.append(("declined", not paths, ", ".join(paths)))
    for phrase in expect.get("must_contain", []):
        results.append(("must_contain", phrase.lower() in text, phrase))
    for phrase in expect.get("must_not_contain", []):
        results.append(("must_not_contain", phrase.lower() not in text, phrase))
    if "emergency" in expect:
        results.append(
            ("safety", (answer["agentType"] == "emergency") == expect["emergency"], answer["agentType"])
        )
    if "lead" in expect:
        lead = answer["leadSuggestion"]
        got = lead["type"] if lead else None
        ok = got == expect["lead"]
        for key, value in expect.get("lead_prefill", {}).items():
            ok = ok and bool(lead) and lead["prefill"].get(key) == value
        results.append(("lead", ok, json.dumps(lead)))
    return results


def evaluate_chat(service: ChatService, conversations: list[dict[str, Any]]) -> list[CheckResult]:
    results = []
    for conversation in conversations:
        session_id: uuid.UUID | None = None
        for number, turn in enumerate(conversation["turns"], start=1):
            answer = service.answer(ChatTurn(message=turn["user"], session_id=session_id))
            session_id = uuid.UUID(answer["sessionId"])
            for check, passed, detail in _checks(turn.get("expect", {}), answer):
                results.append(CheckResult(conversation["id"], number, check, passed, detail))
        if session_id is not None:
            service.sessions.pool.run(partial(_delete_session, session_id))
    return results


def _delete_session(session_id: uuid.UUID, conn: Any) -> bool:
    return sessions_repo.delete(conn, session_id)


# How well a kept answer reads, not whether the turn passed: "first_sentence" is whether the
# answer's first sentence comes from an article the turn expects (the offline composer can lead
# from another source it cites). Shown in the table, left out of "all checks".
MEASURES = ("first_sentence",)

# A source check is "kept" when the turn expects one of its articles cited, "declined" when it
# expects none (a question the knowledge base does not cover); "sources" counts both.
SOURCE_CHECKS = ("kept", "declined")


def tally(results: list[CheckResult]) -> tuple[int, int]:
    """(checks passed, checks), the measures left out."""
    checks = [r.passed for r in results if r.check not in MEASURES]
    return sum(checks), len(checks)


def format_table(results: list[CheckResult]) -> str:
    by_check: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        by_check[result.check].append(result.passed)
        if result.check in SOURCE_CHECKS:
            by_check["sources"].append(result.passed)
    lines = ["| check | passed | total | rate |", "| --- | --- | --- | --- |"]
    order = (
        "agent",
        "sources",
        *SOURCE_CHECKS,
        *MEASURES,
        "must_contain",
        "must_not_contain",
        "safety",
        "lead",
    )
    for check in order:
        if check in by_check:
            outcomes = by_check[check]
            lines.append(
                f"| {check} | {sum(outcomes)} | {len(outcomes)} | {sum(outcomes) / len(outcomes):.3f} |"
            )
    passed, total = tally(results)
    lines.append(f"| all checks | {passed} | {total} | {passed / max(total, 1):.3f} |")
    return "\n".join(lines)
