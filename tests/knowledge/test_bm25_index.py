"""The BM25 index stays exact through ingests, edits, re-ingests and deletions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from dovvy.db import bm25
from dovvy.db.pool import Pool
from dovvy.knowledge.ingest import Ingestor

REEF = """---
title: Reef Etiquette
description: How to behave around coral.
doc_type: guide
---

## Buoyancy

Good buoyancy keeps fins off the coral. Coral grows slowly; a fin kick breaks years of growth.

## Touching

Never touch coral, turtles or anything else on the reef.
"""

NIGHT = """---
title: Night Diving
description: Torches, buddies and what comes out after dark.
doc_type: guide
---

## Torches

Carry a primary torch and a backup torch. Point the torch down when signalling a buddy.

## Life at night

Octopus, crabs and sleeping parrotfish: the reef changes after dark.
"""


def test_statistics_after_any_sequence_of_changes_equal_a_rebuild(
    ingestor: Ingestor, content_pool: Pool
) -> None:
    ingestor.ingest_text("guides/reef.md", REEF)
    ingestor.ingest_text("guides/night.md", NIGHT)
    ingestor.ingest_text("guides/reef.md", REEF.replace("Never touch coral", "Do not touch coral or sponges"))
    ingestor.ingest_text("guides/night-copy.md", NIGHT.replace("Night Diving", "Diving at Night"))
    ingestor.delete("guides/night.md")
    ingestor.ingest_text(
        "guides/night.md", NIGHT + "\n## Lights off\n\nCover the torch to see bioluminescence.\n"
    )
    kept = content_pool.run(bm25.statistics)
    content_pool.run(bm25.rebuild)
    rebuilt = content_pool.run(bm25.statistics)
    assert kept == rebuilt
    assert kept["postings"]  # something was indexed, so the comparison means something


def test_documents_ingested_at_once_keep_the_statistics_exact(ingestor: Ingestor, content_pool: Pool) -> None:
    """Postings go in without the statistics lock; only the shared counts wait for it."""
    documents = [
        (f"guides/{name}-{n}.md", text.replace("## ", f"## Part {n} "))
        for n in range(6)
        for name, text in (("reef", REEF), ("night", NIGHT))
    ]
    with ThreadPoolExecutor(max_workers=4) as workers:
        list(workers.map(lambda doc: ingestor.ingest_text(*doc), documents))
    kept = content_pool.run(bm25.statistics)
    content_pool.run(bm25.rebuild)
    assert kept == content_pool.run(bm25.statistics)
    assert len({row[1] for row in kept["postings"]}) == len(documents)


def test_counts_follow_the_documents(ingestor: Ingestor, content_pool: Pool) -> None:
    ingestor.ingest_text("guides/reef.md", REEF)
    ingestor.ingest_text("guides/night.md", NIGHT)

    def chunks_with(term: str) -> int:
        rows = content_pool.run(
            lambda conn: conn.run("SELECT chunk_count FROM term_stats WHERE term = :t", t=term)
        )
        return int(rows[0][0]) if rows else 0

    assert chunks_with("torch") >= 1  # stemmed by PostgreSQL's english configuration
    assert chunks_with("coral") >= 1
    ingestor.delete("guides/night.md")
    assert chunks_with("torch") == 0
    (count,) = content_pool.run(lambda conn: conn.run("SELECT sum(chunk_count) FROM corpus_stats"))[0]
    stored = content_pool.run(lambda conn: conn.run("SELECT count(*) FROM content_embeddings"))[0][0]
    assert count == stored
