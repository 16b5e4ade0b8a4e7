"""Retrieval on a corpus and questions that shaped nothing here (tests/eval/independent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dovvy.bootstrap import prepare
from dovvy.config import Settings
from dovvy.db.url import ConnectParams
from dovvy.knowledge.ingest import Ingestor
from dovvy.measure.retrieval_eval import evaluate_retrieval, load_questions
from dovvy.runtime import Runtime
from tests.conftest import ROOT, url_for

FOLDER = ROOT / "tests" / "eval" / "independent"


def _measured(server_url: str, folder: Path, database: str) -> dict[str, tuple[float, float, float]]:
    """Each mode's (recall@1, recall@5, MRR) on `folder`'s articles, in a database of their own."""
    from tests.conftest import create_database

    params: ConnectParams = create_database(server_url, database)
    settings = Settings.from_env({"DATABASE_URL": url_for(params), "RATE_LIMITS": "off"})
    prepare(settings)
    runtime = Runtime(settings)
    try:
        articles = folder / "articles"
        Ingestor(runtime.pool, runtime.embedder).ingest_paths([articles], root=articles, prune=False)
        results = evaluate_retrieval(runtime.retriever, load_questions(folder / "questions.jsonl"))
    finally:
        runtime.close()
    return {r.mode: (round(r.recall_at_1, 3), round(r.recall_at_5, 3), round(r.mrr, 3)) for r in results}


# Corpora written blind by helpers after the method of their day was fixed, each measured once then
# (docs/retrieval.md), and their figures today, exactly (the offline embedder is deterministic).
# - second: measured once hybrid R@1 0.932, R@5 1.000, MRR 0.963 (BM25 0.968, vector 0.942);
#   since the fusion's vector share is 0.35 (2026-12-04), hybrid MRR 0.977.
# - third (a course ladder, a destination and three of its sites): measured once MRR 0.901; 0.891
#   with divers' usage, chosen with it in view; 0.893 with the fusion re-weighed on the tuning
#   corpora, this one among them.
# - fourth (an invented agency's ladder, the Azores and four of its sites): measured first with
#   divers' usage in both legs (0.930), then 0.918; 0.937 with the fusion re-weighed, it among them.
# - fifth (an invented agency's ladder, Bonaire and four of its sites): measured once, MRR 0.960,
#   R@5 0.984; a second time after the fusion was re-weighed without looking at it, 0.962.
LATER_CORPORA = {
    "independent2": {
        "hybrid": (0.959, 1.0, 0.977),
        "vector": (0.918, 1.0, 0.949),
        "keyword": (0.945, 1.0, 0.97),
    },
    "independent3": {
        "hybrid": (0.826, 0.977, 0.893),
        "vector": (0.733, 0.907, 0.8),
        "keyword": (0.779, 0.977, 0.858),
    },
    "independent4": {
        "hybrid": (0.894, 0.992, 0.937),
        "vector": (0.756, 0.943, 0.842),
        "keyword": (0.862, 0.984, 0.914),
    },
    "independent5": {
        "hybrid": (0.938, 0.992, 0.962),
        "vector": (0.891, 0.969, 0.928),
        "keyword": (0.891, 0.984, 0.932),
    },
}


@pytest.mark.parametrize("name", sorted(LATER_CORPORA))
def test_a_corpus_written_after_the_method_was_fixed(server_url: str, name: str) -> None:
    folder = ROOT / "tests" / "eval" / name
    assert len(list((folder / "articles").glob("*.md"))) >= 25
    assert len([q for q in load_questions(folder / "questions.jsonl") if q.expected]) >= 60
    assert _measured(server_url, folder, f"dovvy_{name}") == LATER_CORPORA[name]


@pytest.fixture(scope="module")
def results(server_url: str) -> dict[str, tuple[float, float, float]]:
    return _measured(server_url, FOLDER, "dovvy_independent")


def test_the_independent_corpus_is_what_its_readme_says() -> None:
    assert len(list((FOLDER / "articles").glob("*.md"))) >= 25
    assert len(load_questions(FOLDER / "questions.jsonl")) >= 60


def test_hybrid_retrieval_on_an_unseen_corpus(results: dict[str, tuple[float, float, float]]) -> None:
    """Measured once (docs/retrieval.md): hybrid recall@1 0.933, recall@5 1.000, MRR 0.964; vector
    MRR 0.906 (0.897 before the concepts); BM25 MRR 0.912; hybrid above each leg. Since divers'
    usage (catalogue/thesaurus.yaml), chosen with this corpus in view, and the question embedded as
    the chat does: hybrid MRR 0.972; with the fusion's vector share at 0.35 (2026-12-04), 0.981."""
    figures = results
    # Today's figures, exactly (the offline embedder is deterministic): any move fails here until
    # docs/retrieval.md says the new one.
    assert figures == {
        "hybrid": (0.967, 1.0, 0.981),
        "vector": (0.85, 0.967, 0.906),
        "keyword": (0.883, 0.983, 0.929),
    }
    assert figures["hybrid"][2] > max(figures["vector"][2], figures["keyword"][2])
