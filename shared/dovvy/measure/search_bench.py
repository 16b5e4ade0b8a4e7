"""What the articles' words cost a search: the retrieval set's questions searched with them added
(catalogue/concepts.yaml, catalogue/thesaurus.yaml) and without, in interleaved rounds on the same
database, each question's vector given so only the SQL and the look-ups are timed."""

from __future__ import annotations

import copy
import statistics
import time

from dovvy.knowledge.query_text import focus
from dovvy.knowledge.retrieval import Retriever


def _round(retriever: Retriever, questions: list[tuple[str, list[float]]]) -> float:
    """Milliseconds a search, over one pass of the questions."""
    started = time.perf_counter()
    for question, vector in questions:
        retriever.search(question, top_k=8, per_document=1, embedding=vector)
    return (time.perf_counter() - started) * 1000 / len(questions)


def run_search_benchmark(retriever: Retriever, questions: list[str], rounds: int) -> str:
    plain = copy.copy(retriever)  # the same parameters, without the added words
    plain.expand = False
    given = [(q, retriever.embedder.embed_query(focus(q))) for q in questions]
    for warm in (plain, retriever):  # caches, plans, the phrase table
        _round(warm, given)
    without, with_words = [], []
    for _ in range(rounds):
        without.append(_round(plain, given))
        with_words.append(_round(retriever, given))
    ratios = [w / p for p, w in zip(without, with_words, strict=True)]
    return "\n".join(
        [
            f"{len(questions)} questions, {rounds} interleaved rounds, ms a search (median)",
            "| search | ms | ratio |",
            "| --- | --- | --- |",
            f"| the question's own words (baseline) | {statistics.median(without):.2f} | 1.00 |",
            f"| with the articles' words added | {statistics.median(with_words):.2f} "
            f"| {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f}) |",
        ]
    )
