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
SECOND = ROOT / "tests" / "eval" / "independent2"
THIRD = ROOT / "tests" / "eval" / "independent3"


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


def test_a_second_corpus_written_after_the_method_was_fixed(server_url: str) -> None:
    """Measured once when it was written (docs/retrieval.md): hybrid R@1 0.932, R@5 1.000, MRR
    0.963 (BM25 alone 0.968, the vector leg 0.942); after the concepts (catalogue/concepts.yaml)
    the same hybrid figures, BM25 0.970, vector 0.938."""
    assert len(list((SECOND / "articles").glob("*.md"))) >= 25
    assert len(load_questions(SECOND / "questions.jsonl")) >= 60
    assert _measured(server_url, SECOND, "dovvy_independent2") == {
        "hybrid": (0.932, 1.0, 0.963),
        "vector": (0.918, 0.973, 0.938),
        "keyword": (0.945, 1.0, 0.97),
    }


def test_a_third_corpus_written_blind_with_near_neighbours(server_url: str) -> None:
    """A course ladder, a destination and three of its sites, overlapping medical topics; 86
    answerable questions typed as divers type. Measured once (docs/retrieval.md)."""
    assert len(list((THIRD / "articles").glob("*.md"))) >= 25
    assert len([q for q in load_questions(THIRD / "questions.jsonl") if q.expected]) >= 60
    assert _measured(server_url, THIRD, "dovvy_independent3") == {
        "hybrid": (0.849, 0.965, 0.901),
        "vector": (0.744, 0.907, 0.81),
        "keyword": (0.767, 0.965, 0.848),
    }


@pytest.fixture(scope="module")
def results(server_url: str) -> dict[str, tuple[float, float, float]]:
    return _measured(server_url, FOLDER, "dovvy_independent")


def test_the_independent_corpus_is_what_its_readme_says() -> None:
    assert len(list((FOLDER / "articles").glob("*.md"))) >= 25
    assert len(load_questions(FOLDER / "questions.jsonl")) >= 60


def test_hybrid_retrieval_on_an_unseen_corpus(results: dict[str, tuple[float, float, float]]) -> None:
    """Never tuned on (docs/retrieval.md): hybrid recall@1 0.933, recall@5 1.000, MRR 0.964; vector
    MRR 0.906 (0.897 before the concepts); BM25 MRR 0.912; hybrid above each leg."""
    figures = results
    # Today's figures, exactly (the offline embedder is deterministic): any move fails here until
    # docs/retrieval.md says the new one.
    assert figures == {
        "hybrid": (0.933, 1.0, 0.964),
        "vector": (0.85, 0.967, 0.906),
        "keyword": (0.867, 0.967, 0.912),
    }
    assert figures["hybrid"][2] > max(figures["vector"][2], figures["keyword"][2])
