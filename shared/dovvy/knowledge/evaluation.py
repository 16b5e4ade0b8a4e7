"""Retrieval quality: recall@1, recall@5 and MRR over a set of diver questions, per search mode."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from dovvy.knowledge.retrieval import MODES, Mode, Retriever


@dataclasses.dataclass(frozen=True)
class Question:
    question: str
    expected: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ModeResult:
    mode: Mode
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: tuple[str, ...]


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        expected = item["expected"]
        if not item.get("question") or not expected:
            raise ValueError(f"{path}:{number}: needs 'question' and 'expected'")
        questions.append(Question(item["question"], tuple(expected)))
    return questions


def evaluate_retrieval(retriever: Retriever, questions: list[Question], depth: int = 10) -> list[ModeResult]:
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
