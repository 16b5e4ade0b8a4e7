"""Articles in the DovvyBuddy web app's frontmatter format (field names and value styles as its
content README documents them; the articles themselves are ours) ingest as they are, are found,
and their dive sites join the trip agent's tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dovvy.bootstrap import prepare
from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from dovvy.db import destinations as places
from dovvy.db.pool import Pool
from dovvy.knowledge.ingest import Ingestor
from dovvy.knowledge.retrieval import Retriever
from tests.knowledge.conftest import CountingEmbedder

FIXTURES = Path(__file__).parent / "webapp_format"


@pytest.fixture
def clean_places(content_pool: Pool) -> Iterator[Pool]:
    def clear(conn: Any) -> None:
        conn.run("DELETE FROM dive_sites WHERE source_path IS NOT NULL")
        conn.run("DELETE FROM destinations WHERE source_path IS NOT NULL")

    content_pool.run(clear)
    yield content_pool
    content_pool.run(clear)


@pytest.fixture
def ingested(clean_places: Pool, ingestor: Ingestor) -> Ingestor:
    stats = ingestor.ingest_paths([FIXTURES], root=FIXTURES)
    assert (stats.new, stats.invalid) == (5, 0), stats.problems
    return ingestor


def test_every_article_is_accepted_with_warnings(ingested: Ingestor) -> None:
    warnings = [str(w) for w in ingested.stats.warnings]
    assert any("doc_type 'certification_training' read as 'certification'" in w for w in warnings)
    assert any("no 'doc_type'; read as 'safety'" in w for w in warnings)


def stored(pool: Pool, path: str) -> dict[str, Any]:
    [[metadata]] = pool.run(
        lambda conn: conn.run("SELECT metadata FROM content_documents WHERE content_path = :path", path=path)
    )
    result: dict[str, Any] = metadata
    return result


def test_fields_are_mapped_and_the_originals_kept(ingested: Ingestor, content_pool: Pool) -> None:
    course = stored(content_pool, "certifications/courses/padi/open-water/OW_Pool_Sessions_and_Gear.md")
    assert course["doc_type"] == "certification"
    assert course["source_doc_type"] == "certification_training"
    assert course["certification_level"] == "Open Water"
    assert course["last_updated"] == "2026-01-15"
    assert course["title"] == "OW Pool Sessions and Gear"
    site = stored(content_pool, "destinations/Malaysia-Tioman/tioman-soyak-island.md")
    assert site["destination"] == "tioman"
    assert site["destination_name"] == "Tioman Island, Malaysia"
    assert site["min_certification"] == "Open Water"
    assert site["sources"] == ["https://example.org/tioman-marine-park", "Operator reports"]
    safety = stored(content_pool, "safety/thermoclines-and-cold.md")
    assert safety["doc_type"] == "safety"
    assert safety["description"].startswith("A thermocline is the layer")


@pytest.mark.parametrize(
    ("question", "path"),
    [
        pytest.param(
            "do we practise in a pool before going in the sea on the open water course",
            "certifications/courses/padi/open-water/OW_Pool_Sessions_and_Gear.md",
            id="pool",
        ),
        pytest.param(
            "is my cmas one star card the same as padi open water",
            "certifications/equivalency/Agency_Card_Names.md",
            id="equivalency",
        ),
        pytest.param(
            "easy shallow spot at tioman with bamboo sharks",
            "destinations/Malaysia-Tioman/tioman-soyak-island.md",
            id="soyak",
        ),
        pytest.param(
            "chumphon pinnacle koh tao whale sharks how deep",
            "destinations/Thailand-Koh-Tao/koh-tao-chumphon-pinnacle.md",
            id="chumphon",
        ),
        pytest.param(
            "why did i suddenly get really cold halfway down",
            "safety/thermoclines-and-cold.md",
            id="thermocline",
        ),
    ],
)
def test_each_article_is_found(
    ingested: Ingestor, embedder: CountingEmbedder, question: str, path: str
) -> None:
    retriever = Retriever(ingested.pool, embedder)
    found = [p.content_path for p in retriever.search(question, top_k=3)]
    assert path in found, found


def test_dive_site_articles_add_their_sites(ingested: Ingestor, content_pool: Pool) -> None:
    tioman = content_pool.run(lambda conn: places.sites_for_destination(conn, "tioman"))
    soyak = next(site for site in tioman if site.code == "tioman-soyak-island")
    assert (soyak.min_depth_m, soyak.max_depth_m, soyak.min_certification) == (3, 12, "Open Water")
    koh_tao = content_pool.run(lambda conn: places.sites_for_destination(conn, "koh-tao"))
    assert [(s.code, s.min_certification, s.difficulty) for s in koh_tao] == [
        ("koh-tao-chumphon-pinnacle", "Advanced Open Water", "intermediate")
    ]
    [[country]] = content_pool.run(
        lambda conn: conn.run("SELECT country FROM destinations WHERE code = 'koh-tao'")
    )
    assert country == "Thailand"


def test_deleting_the_article_removes_what_it_added(ingested: Ingestor, content_pool: Pool) -> None:
    ingested.delete("destinations/Thailand-Koh-Tao/koh-tao-chumphon-pinnacle.md")
    assert content_pool.run(lambda conn: conn.run("SELECT 1 FROM destinations WHERE code = 'koh-tao'")) == []


def test_the_seed_keeps_article_sites_and_articles_never_overwrite_the_catalogue(
    ingested: Ingestor, content_pool: Pool, database_url: str, tmp_path: Path
) -> None:
    prepare(Settings(database_url=Secret(database_url), seed_file=DESTINATIONS_FILE))
    codes = {s.code for s in content_pool.run(lambda conn: places.sites_for_destination(conn, "tioman"))}
    assert "tioman-soyak-island" in codes
    # An article claiming a catalogue site's code does not change the catalogue's row.
    (tmp_path / "tiger.md").write_text(
        "---\ndoc_type: dive_site\nsite_id: tioman-tiger-reef\ntitle: Tiger Reef\ndestination: tioman\n"
        "min_certification: OW\ndepth_range_m: [1, 5]\n---\n\n## About\n\nA claim.\n"
    )
    ingested.ingest_paths([tmp_path / "tiger.md"])
    tiger = next(
        s
        for s in content_pool.run(lambda conn: places.sites_for_destination(conn, "tioman"))
        if s.code == "tioman-tiger-reef"
    )
    assert (tiger.max_depth_m, tiger.min_certification) == (25, "Advanced Open Water")


def test_an_articles_own_sources_travel_with_its_citation(
    ingested: Ingestor, embedder: CountingEmbedder
) -> None:
    from dovvy.chat import response

    retriever = Retriever(ingested.pool, embedder)
    [passage] = retriever.search("soyak island bamboo sharks", top_k=1)
    source = response.source(passage)
    assert source["path"] == "destinations/Malaysia-Tioman/tioman-soyak-island.md"
    assert source["sources"] == ["https://example.org/tioman-marine-park", "Operator reports"]
