"""Retrieval quality over diver questions: recall@1, recall@5 and MRR per search mode for the
answerable ones, and how the chat's "nothing relevant" rule treats answerable and out-of-scope ones.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

from dovvy.knowledge.query_text import focus
from dovvy.knowledge.relevance import CONSIDERED, Case, Rates
from dovvy.knowledge.retrieval import MODES, Mode, Retriever

if TYPE_CHECKING:
    from dovvy.chat.store import Library


@dataclasses.dataclass(frozen=True)
class Question:
    question: str
    expected: tuple[str, ...]  # empty for a question the knowledge base does not cover

    @property
    def out_of_scope(self) -> bool:
        return not self.expected


@dataclasses.dataclass(frozen=True)
class ModeResult:
    mode: Mode
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: tuple[str, ...]


def load_questions(path: Path, split: str = "all") -> list[Question]:
    """The questions in `path`; with `split` "dev" or "test", only those the fixed rule puts there."""
    from dovvy.splits import split_of

    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        expected = item.get("expected") or []
        if not item.get("question") or bool(expected) == bool(item.get("out_of_scope")):
            raise ValueError(
                f"{path}:{number}: needs 'question' and either 'expected' or 'out_of_scope': true"
            )
        if split in ("all", split_of(item["question"])):
            questions.append(Question(item["question"], tuple(expected)))
    return questions


def load_chat_questions(path: Path, split: str = "all") -> list[Question]:
    """The one-turn conversations of a chat eval file (tests/eval/cross_shelf.jsonl and its like)
    that say which sources answer them, or that none should, as questions: divers' own long,
    rambling messages beside the retrieval set's short ones."""
    from dovvy.measure.chat_eval import load_conversations

    questions = []
    for conversation in load_conversations(path, split):
        if len(conversation["turns"]) != 1:
            continue
        turn = conversation["turns"][0]
        expect = turn.get("expect", {})
        if expect.get("sources_any") or expect.get("sources_none"):
            questions.append(Question(turn["user"], tuple(expect.get("sources_any", ()))))
    return questions


# The chat eval files whose one-turn questions calibration reads beside tests/eval/retrieval.jsonl.
CALIBRATION_CHATS = ("cross_shelf.jsonl", "not_covered.jsonl", "places_times.jsonl")


def calibration_questions(retrieval_file: Path, chat_files: list[Path], split: str) -> list[Question]:
    """What `dovvy calibrate` chooses the thresholds on (dev) and reports (test): the retrieval
    set's short questions and the chat sets' long ones."""
    return load_questions(retrieval_file, split) + [
        question for path in chat_files for question in load_chat_questions(path, split)
    ]


def evaluate_retrieval(retriever: Retriever, questions: list[Question], depth: int = 10) -> list[ModeResult]:
    questions = [q for q in questions if not q.out_of_scope]
    results = []
    for mode in MODES:
        hits_1 = hits_5 = 0
        reciprocal = 0.0
        misses = []
        for question in questions:
            # One passage per document, so ranks are document ranks.
            passages = retriever.search(question.question, top_k=depth, mode=mode, per_document=1)
            ranked = [p.content_path for p in passages]
            rank = next((i for i, path in enumerate(ranked, start=1) if path in question.expected), None)
            if rank == 1:
                hits_1 += 1
            if rank is not None and rank <= 5:
                hits_5 += 1
            else:
                misses.append(question.question)
            reciprocal += 1.0 / rank if rank else 0.0
        total = len(questions) or 1
        results.append(ModeResult(mode, hits_1 / total, hits_5 / total, reciprocal / total, tuple(misses)))
    return results


def format_table(results: list[ModeResult]) -> str:
    lines = ["| mode | recall@1 | recall@5 | MRR |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.mode} | {r.recall_at_1:.3f} | {r.recall_at_5:.3f} | {r.mrr:.3f} |" for r in results]
    return "\n".join(lines)


def relevance_cases(library: Library, questions: list[Question]) -> list[Case]:
    """What the chat's rule sees for each question, as the chat ranks it: the best passage of each
    of the top documents across the whole knowledge base, the routed agent's shelf preferred and
    other places' articles left out (`Library.candidates`). Calibrated on plain search instead, the
    thresholds fitted a ranking the chat never shows the rule."""
    from dovvy import catalogue
    from dovvy.chat import agent_rules
    from dovvy.chat.router import route

    cases = []
    for question in questions:
        text = question.question
        shelf = agent_rules.filters_for(route(text).agent)
        found = library.candidates(
            text, library.embed(focus(text)), shelf, catalogue.destinations_named(text)
        )
        cases.append(Case(found.passages[:CONSIDERED], question.expected, found.named))
    return cases


def format_rates(measured: Rates, cases: list[Case]) -> str:
    answerable = sum(bool(c.expected) for c in cases)
    return (
        f"answerable questions keeping a relevant source: {measured.kept:.3f} (of {answerable})\n"
        f"out-of-scope questions told the knowledge base lacks it: {measured.declined:.3f} "
        f"(of {len(cases) - answerable})"
    )
