from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from dovvy.config import Settings
from dovvy.db.pool import Pool
from dovvy.knowledge.documents import DocumentInvalid
from dovvy.knowledge.ingest import Ingestor
from dovvy.providers.embeddings import EmbeddingError
from tests.conftest import ROOT
from tests.knowledge.conftest import CountingEmbedder

DOC = """---
title: Safety Stops
description: Why and how to make a safety stop.
doc_type: safety
tags: [safety stop, ascent]
---

## Why

A stop at five metres lets nitrogen leave your body before you surface.

## How

Hover for three minutes at about five metres.
"""


def rows(pool: Pool, path: str) -> list[list[Any]]:
    result: list[list[Any]] = pool.run(
        lambda conn: conn.run(
            "SELECT chunk_index, chunk_text, embedding_model, metadata ->> 'heading', content_hash "
            "FROM content_embeddings WHERE content_path = :p ORDER BY chunk_index",
            p=path,
        )
    )
    return result


def test_new_document_is_chunked_embedded_and_stored(ingestor: Ingestor, content_pool: Pool) -> None:
    assert ingestor.ingest_text("safety/stops.md", DOC) == "new"
    stored = rows(content_pool, "safety/stops.md")
    assert [r[3] for r in stored] == ["Summary", "Why", "How"]
    assert stored[1][1].startswith("A stop at five metres")
    assert ingestor.stats.chunks_written == 3
    assert ingestor.stats.embedding_calls == 1


def test_stored_vectors_round_trip_through_binary_copy(ingestor: Ingestor, content_pool: Pool) -> None:
    ingestor.ingest_text("safety/stops.md", DOC)
    from dovvy.knowledge.chunking import chunk_document
    from dovvy.knowledge.documents import parse

    expected = CountingEmbedder().embed_documents([c.embed_text for c in chunk_document(parse("x", DOC))])
    stored = content_pool.run(
        lambda conn: conn.run(
            "SELECT embedding FROM content_embeddings "
            "WHERE content_path = 'safety/stops.md' ORDER BY chunk_index"
        )
    )
    for (vector,), want in zip(stored, expected, strict=True):
        assert vector.to_list() == pytest.approx(want, abs=1e-6)


def test_unchanged_document_costs_no_embedding_and_no_write(
    ingestor: Ingestor, embedder: CountingEmbedder, content_pool: Pool
) -> None:
    ingestor.ingest_text("safety/stops.md", DOC)
    before = content_pool.run(lambda conn: conn.run("SELECT xmin::text FROM content_embeddings ORDER BY id"))
    assert ingestor.ingest_text("safety/stops.md", DOC) == "unchanged"
    after = content_pool.run(lambda conn: conn.run("SELECT xmin::text FROM content_embeddings ORDER BY id"))
    assert embedder.document_calls == [3]
    assert before == after


def test_changed_document_embeds_only_changed_chunks(
    ingestor: Ingestor, embedder: CountingEmbedder, content_pool: Pool
) -> None:
    ingestor.ingest_text("safety/stops.md", DOC)
    edited = DOC.replace("Hover for three minutes", "Hover for three to five minutes")
    assert ingestor.ingest_text("safety/stops.md", edited) == "changed"
    assert embedder.document_calls == [3, 1]
    assert "three to five" in rows(content_pool, "safety/stops.md")[2][1]


def test_provider_failure_leaves_the_previous_version(
    ingestor: Ingestor, embedder: CountingEmbedder, content_pool: Pool
) -> None:
    ingestor.ingest_text("safety/stops.md", DOC)
    before = rows(content_pool, "safety/stops.md")
    embedder.fail = True
    with pytest.raises(EmbeddingError):
        ingestor.ingest_text("safety/stops.md", DOC.replace("three minutes", "ten minutes"))
    assert rows(content_pool, "safety/stops.md") == before


def test_failure_inside_the_write_rolls_back(
    ingestor: Ingestor, content_pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dovvy.db import content

    ingestor.ingest_text("safety/stops.md", DOC)
    before = rows(content_pool, "safety/stops.md")
    original = content.replace_document

    def broken(conn: Any, **kwargs: Any) -> None:
        original(conn, **kwargs)  # delete and COPY done...
        raise RuntimeError("process killed half-way")  # ...but never committed

    monkeypatch.setattr(content, "replace_document", broken)
    with pytest.raises(RuntimeError):
        ingestor.ingest_text("safety/stops.md", DOC.replace("three minutes", "ten minutes"))
    assert rows(content_pool, "safety/stops.md") == before


def test_invalid_document_is_rejected_and_previous_version_kept(
    ingestor: Ingestor, content_pool: Pool
) -> None:
    ingestor.ingest_text("safety/stops.md", DOC)
    before = rows(content_pool, "safety/stops.md")
    with pytest.raises(DocumentInvalid):
        ingestor.ingest_text("safety/stops.md", DOC.split("## Why", maxsplit=1)[0])
    assert rows(content_pool, "safety/stops.md") == before


def test_concurrent_ingests_of_one_document_store_one_copy(content_pool: Pool) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        try:
            barrier.wait()
            Ingestor(content_pool, CountingEmbedder()).ingest_text("safety/stops.md", DOC)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [r[0] for r in rows(content_pool, "safety/stops.md")] == [0, 1, 2]


def test_directory_ingest_summary_and_prune(ingestor: Ingestor, content_pool: Pool, tmp_path: Path) -> None:
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "stops.md").write_text(DOC)
    (tmp_path / "safety" / "other.md").write_text(DOC.replace("Safety Stops", "Other"))
    (tmp_path / "broken.md").write_text("no frontmatter")
    stats = ingestor.ingest_paths([tmp_path])
    assert (stats.new, stats.invalid, stats.chunks_written) == (2, 1, 6)

    (tmp_path / "safety" / "other.md").unlink()
    again = Ingestor(content_pool, CountingEmbedder()).ingest_paths([tmp_path], prune=True)
    assert (again.new, again.unchanged, again.deleted, again.embedding_calls) == (0, 1, 1, 0)
    paths = content_pool.run(lambda conn: conn.run("SELECT DISTINCT content_path FROM content_embeddings"))
    assert paths == [["safety/stops.md"]]
    assert "1 unchanged, 1 deleted, 1 invalid documents" in again.summary()


def test_switching_embedding_model_re_embeds(ingestor: Ingestor, content_pool: Pool) -> None:
    ingestor.ingest_text("safety/stops.md", DOC)
    other = Ingestor(content_pool, CountingEmbedder(model="another-model"))
    assert other.ingest_text("safety/stops.md", DOC) == "new"
    models = content_pool.run(
        lambda conn: conn.run(
            "SELECT embedding_model, count(*) FROM content_embeddings GROUP BY 1 ORDER BY 1"
        )
    )
    assert models == [["another-model", 3], ["wordllama-l2-supercat-256", 3]]


def test_delete_removes_every_chunk_and_is_idempotent(ingestor: Ingestor, content_pool: Pool) -> None:
    ingestor.ingest_text("safety/stops.md", DOC)
    assert ingestor.delete("safety/stops.md") is True
    assert ingestor.delete("safety/stops.md") is False
    assert rows(content_pool, "safety/stops.md") == []


def test_ingest_command_prints_a_summary(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], content_pool: Pool
) -> None:
    from dovvy.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["ingest", str(ROOT / "content" / "skills")]) == 0
    assert main(["ingest", str(ROOT / "content" / "skills")]) == 0
    first, second = capsys.readouterr().out.strip().splitlines()
    assert first.startswith("9 new, 0 changed, 0 unchanged")
    assert second.startswith(
        "0 new, 0 changed, 9 unchanged, 0 deleted, 0 invalid documents; 0 chunks written, 0 embedding calls"
    )


def test_prune_drops_rows_of_a_model_no_longer_in_use(
    ingestor: Ingestor, content_pool: Pool, tmp_path: Path
) -> None:
    (tmp_path / "stops.md").write_text(DOC)
    ingestor.ingest_paths([tmp_path])
    switched = Ingestor(content_pool, CountingEmbedder(model="another-model"))
    stats = switched.ingest_paths([tmp_path], prune=True)
    assert (stats.new, stats.stale_chunks_removed) == (1, 3)
    models = content_pool.run(
        lambda conn: conn.run("SELECT DISTINCT embedding_model FROM content_embeddings")
    )
    assert models == [["another-model"]]


def test_a_subfolder_updates_the_same_documents(
    ingestor: Ingestor, content_pool: Pool, tmp_path: Path
) -> None:
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "stops.md").write_text(DOC)
    assert ingestor.ingest_paths([tmp_path], root=tmp_path).new == 1
    (tmp_path / "safety" / "stops.md").write_text(DOC.replace("three minutes", "five minutes"))
    again = Ingestor(content_pool, CountingEmbedder()).ingest_paths([tmp_path / "safety"], root=tmp_path)
    assert (again.new, again.changed) == (0, 1)
    paths = content_pool.run(lambda conn: conn.run("SELECT content_path FROM content_documents"))
    assert paths == [["safety/stops.md"]]


def test_without_the_root_a_twin_under_a_shorter_path_is_refused(
    ingestor: Ingestor, content_pool: Pool, tmp_path: Path
) -> None:
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "stops.md").write_text(DOC)
    ingestor.ingest_paths([tmp_path])
    again = Ingestor(content_pool, CountingEmbedder()).ingest_paths([tmp_path / "safety"])
    assert (again.new, again.duplicate) == (0, 1)
    assert "already stored as 'safety/stops.md'" in str(again.warnings[0])
    paths = content_pool.run(lambda conn: conn.run("SELECT content_path FROM content_documents"))
    assert paths == [["safety/stops.md"]]


def test_make_run_never_prunes_to_an_empty_knowledge_base(
    ingestor: Ingestor, content_pool: Pool, settings: Settings, tmp_path: Path
) -> None:
    from dovvy.bootstrap import ingest_content

    (tmp_path / "stops.md").write_text(DOC)
    ingestor.ingest_paths([tmp_path], root=tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    message = ingest_content(settings.replace(content_dir=empty))
    assert "nothing was deleted" in message
    assert content_pool.run(lambda conn: conn.run("SELECT count(*) FROM content_documents")) == [[1]]


def test_a_prune_of_another_folder_never_empties_the_knowledge_base(
    ingestor: Ingestor, content_pool: Pool, tmp_path: Path
) -> None:
    """An article folder outside content/ names its articles from itself: every stored article
    looked gone from it, and `--prune` deleted all but the one it held."""
    from dovvy.knowledge.ingest import PruneRefused

    content = tmp_path / "content"
    (content / "safety").mkdir(parents=True)
    for name in ("stops", "ears", "cold"):
        (content / "safety" / f"{name}.md").write_text(DOC.replace("Safety Stops", name.title()))
    ingestor.ingest_paths([content], root=content)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.md").write_text(DOC.replace("Safety Stops", "Mine"))

    def count() -> int:
        [[n]] = content_pool.run(lambda conn: conn.run("SELECT count(*) FROM content_documents"))
        return int(n)

    with pytest.raises(PruneRefused, match=r"would delete 3 documents .* and keep 1; nothing was deleted"):
        Ingestor(content_pool, CountingEmbedder()).ingest_paths([elsewhere], prune=True)
    assert count() == 4
    told = Ingestor(content_pool, CountingEmbedder()).ingest_paths(
        [elsewhere], prune=True, prune_more_than_kept=True
    )
    assert (told.deleted, count()) == (3, 1)


_BROKEN = {
    "no-frontmatter.md": "Just text, nobody wrote a header.\n",
    "bad-yaml.md": "---\ntitle: [unclosed\ndoc_type: safety\n---\n\nBody text here.\n",
    "no-body.md": "---\ntitle: Empty\ndoc_type: safety\n---\n",
    "odd-type.md": "---\ntitle: Odd\ndoc_type: recipe\n---\n\nA paragraph about something.\n",
    "site-bad-id.md": (
        "---\ntitle: Penyu Arch\ndoc_type: dive_site\ndestination: tioman\nsite_id: Penyu Arch!\n"
        "depth_range_m: [5, 18]\nmin_certification: Open Water\n---\n\nAn arch full of turtles.\n"
    ),
    "site-no-depth.md": (
        "---\ntitle: Chebeh\ndoc_type: dive_site\ndestination: tioman\nsite_id: chebeh\n"
        "min_certification: Advanced Open Water\n---\n\nBoulders and current.\n"
    ),
    "good.md": DOC,
}


def test_validate_and_ingest_agree_on_broken_articles(ingestor: Ingestor, tmp_path: Path) -> None:
    """One reader: whatever ingest refuses or warns about, validate reports, from the same code.
    (Before, a dive site whose site_id ingest would not add passed validation silently.)"""
    from dovvy.knowledge.files import check

    for name, text in _BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    _, problems, warnings = check([tmp_path])
    stats = ingestor.ingest_paths([tmp_path], root=tmp_path)

    def named(found: list[Any]) -> set[tuple[str, str]]:
        return {(Path(p.path).name, p.message) for p in found}

    assert named(problems) == named(stats.problems)
    assert named(warnings) == named(stats.warnings)
    assert {"site-bad-id.md", "site-no-depth.md"} <= {name for name, _ in named(warnings)}
    assert stats.invalid == len({Path(p.path).name for p in problems}) >= 2


def _stored(pool: Pool) -> list[str]:
    return [
        row[0]
        for row in pool.run(lambda conn: conn.run("SELECT content_path FROM content_documents ORDER BY 1"))
    ]


def test_a_folder_outside_the_knowledge_base_is_a_source_of_its_own(
    ingestor: Ingestor, content_pool: Pool, settings: Settings, tmp_path: Path
) -> None:
    """Article identity: the knowledge base's articles are plain paths; another folder's are named
    by it. Before, the same relative path replaced the content/ article ("0 new, 1 changed"), a
    prune of the other folder deleted every content/ article, and make run's restart deleted the
    other folder's articles."""
    from dovvy.bootstrap import ingest_content

    content, elsewhere = tmp_path / "content", tmp_path / "handbook"
    for folder in (content / "safety", elsewhere / "safety"):
        folder.mkdir(parents=True)
    for name in ("stops", "ears", "cold"):
        (content / "safety" / f"{name}.md").write_text(DOC.replace("Safety Stops", name.title()))
    (elsewhere / "safety" / "stops.md").write_text(DOC.replace("three minutes", "five minutes"))
    ingestor.ingest_paths([content], root=content)

    # The same relative path from another folder: both kept.
    other = Ingestor(content_pool, CountingEmbedder()).ingest_paths([elsewhere], root=content, prune=True)
    assert (other.new, other.changed, other.deleted) == (1, 0, 0)
    both = ["handbook:safety/stops.md", "safety/cold.md", "safety/ears.md", "safety/stops.md"]
    assert _stored(content_pool) == both

    # Pruning the other folder touches only its own articles.
    (elsewhere / "safety" / "stops.md").unlink()
    (elsewhere / "safety" / "new.md").write_text(DOC.replace("Safety Stops", "New"))
    pruned = Ingestor(content_pool, CountingEmbedder()).ingest_paths([elsewhere], root=content, prune=True)
    assert (pruned.new, pruned.deleted) == (1, 1)
    assert _stored(content_pool) == ["handbook:safety/new.md", *both[1:]]

    # make run syncs content/ (pruning it) and keeps the other source.
    (content / "safety" / "cold.md").unlink()
    assert "1 deleted" in ingest_content(settings.replace(content_dir=content))
    assert _stored(content_pool) == ["handbook:safety/new.md", "safety/ears.md", "safety/stops.md"]


def test_a_knowledge_base_path_may_not_name_a_source(ingestor: Ingestor, tmp_path: Path) -> None:
    (tmp_path / "handbook:stops.md").write_text(DOC)
    stats = ingestor.ingest_paths([tmp_path], root=tmp_path)
    assert stats.new == 0
    assert "names another source" in str(stats.problems[0])
