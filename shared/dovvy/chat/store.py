"""What the chat pipeline reads from the knowledge base: the library (passages, sections, dive
sites). Sessions are `dovvy.sessions`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from dovvy.db import content as content_repo
from dovvy.db import destinations as destinations_repo
from dovvy.db.pool import Pool
from dovvy.knowledge.filters import Filters
from dovvy.knowledge.relevance import CONSIDERED, thresholds_for
from dovvy.knowledge.retrieval import Retriever
from dovvy.passages import Passage
from dovvy.text import count_tokens

# How much more an article of the routed agent's own types counts when the whole knowledge base is
# ranked (chosen on the dev splits: docs/retrieval.md).
SHELF_BOOST = 0.25
# Articles about one place (a destination's guide, a dive site): no answer about another place.
PLACE_TYPES = ("destination", "dive_site")
# Whether the articles name a place or thing changes only when content is ingested, by another
# function; a look-up scans every chunk (10-20 ms for 271 chunks) and names like "padi" or "nitrox"
# come up in many messages, so an answer is kept this many seconds (and at most MENTIONS_KEPT).
MENTIONS_TTL = 300.0
MENTIONS_KEPT = 4096


def _on(shelf: Filters, passage: Passage) -> bool:
    return not shelf.doc_types or passage.metadata.get("doc_type") in shelf.doc_types


def about_a_place(passage: Passage) -> bool:
    return passage.metadata.get("doc_type") in PLACE_TYPES


@dataclasses.dataclass(frozen=True)
class Candidates:
    passages: tuple[Passage, ...]  # best first, the agent's shelf preferred
    named: frozenset[str]  # the articles about a place the question names


class Library:
    """Search with relevance cut-offs, whole sections for the prompt, and dive sites."""

    def __init__(self, pool: Pool, retriever: Retriever, clock: Callable[[], float] = time.monotonic) -> None:
        self.pool = pool
        self.retriever = retriever
        self.clock = clock
        self._mentioned: dict[str, tuple[bool, float]] = {}

    def embed(self, text: str) -> list[float]:
        return self.retriever.embedder.embed_query(text)

    def covers(self, query: str, vector: list[float]) -> bool:
        """Whether some article is plainly about the query (`Thresholds.clear`), across the whole
        knowledge base."""
        return self.plainly_answers(
            self.retriever.search(query, top_k=CONSIDERED, per_document=1, embedding=vector)
        )

    def candidates(
        self, query: str, vector: list[float], shelf: Filters, places: tuple[str, ...] = ()
    ) -> Candidates:
        """What the relevance rule judges for a question: the best passage of each of the top
        documents, the whole knowledge base searched and the agent's shelf (its document types)
        preferred: a shelf article's score counts SHELF_BOOST more, so a clearly better article of
        another type still comes first (a dive site for "can I dive it with my card", a safety
        article for a trip question). `places` (the destinations the question names): the guides
        and sites of other places are left out, so a question about Gozo is not answered from
        Tioman's guide, and those of the named places are relevant on that alone."""
        found = self.retriever.search(query, top_k=2 * CONSIDERED, per_document=1, embedding=vector)
        if places:
            found = [p for p in found if not about_a_place(p) or p.metadata.get("destination") in places]
        preferred = sorted(found, key=lambda p: -p.score * (1 + SHELF_BOOST * _on(shelf, p)))
        named = frozenset(p.content_path for p in found if about_a_place(p)) if places else frozenset()
        return Candidates(tuple(preferred), named)

    def search(
        self,
        query: str,
        vector: list[float],
        shelf: Filters,
        *,
        relaxed: bool = False,
        places: tuple[str, ...] = (),
    ) -> list[Passage]:
        """The passages to answer from (`candidates` judged by the calibrated rule). `relaxed` (a
        question about a symptom or danger): rather than nothing, the best shelf passage that also
        matches the question's words."""
        found = self.candidates(query, vector, shelf, places)
        thresholds = thresholds_for(self.retriever.embedder.model)
        sources = thresholds.sources(found.passages[:CONSIDERED], found.named)
        if not sources and relaxed:
            sources = [p for p in found.passages if _on(shelf, p) and p.keyword_rank is not None][:1]
        return sources

    def plainly_answers(self, passages: list[Passage]) -> bool:
        """Whether one of `passages` is plainly about what was asked (`Thresholds.clear`)."""
        thresholds = thresholds_for(self.retriever.embedder.model)
        return any(thresholds.clear(passage) for passage in passages)

    def mentions(self, name: str) -> bool:
        """Whether any article's text names `name` (a whole word or phrase, any case), as the
        database said at most MENTIONS_TTL seconds ago."""
        now = self.clock()
        kept = self._mentioned.get(name)
        if kept is not None and now - kept[1] < MENTIONS_TTL:
            return kept[0]
        found = self.pool.run(lambda conn: content_repo.mentions(conn, name), transaction=False)
        if len(self._mentioned) >= MENTIONS_KEPT:
            self._mentioned.clear()
        self._mentioned[name] = (found, now)
        return found

    def sections(self, sources: list[Passage], budget_tokens: int = 1800) -> list[Passage]:
        """Sections of the sources' articles for the prompt, each article's in reading order and the
        articles in the sources' order: first the section each source ranked by (its first when
        the summary ranked), so every cited article reaches the prompt under the number it is cited
        by, then the rest of each article while the token budget lasts (the articles are short, and
        whole sections answer better than the single chunk that ranked)."""
        if not sources:
            return []
        model = self.retriever.embedder.model
        paths = [p.content_path for p in sources]
        rows = self.pool.run(lambda conn: content_repo.document_chunks(conn, paths, model), transaction=False)
        by_path: dict[str, list[Passage]] = {}
        for path, _, text, metadata in rows:
            if metadata.get("heading") == "Summary":
                continue
            best = next(p for p in sources if p.content_path == path)
            by_path.setdefault(path, []).append(
                dataclasses.replace(
                    best, text=text, heading=str(metadata.get("heading", "")), metadata=metadata
                )
            )
        articles = [by_path.get(source.content_path) or [source] for source in sources]
        first = [
            next((j for j, section in enumerate(article) if section.text == source.text), 0)
            for source, article in zip(sources, articles, strict=True)
        ]
        chosen = set(enumerate(first))
        used = sum(count_tokens(articles[i][j].text) for i, j in chosen)
        for i, article in enumerate(articles):
            for j, section in enumerate(article):
                cost = count_tokens(section.text)
                if (i, j) not in chosen and used + cost <= budget_tokens:
                    chosen.add((i, j))
                    used += cost
        return [articles[i][j] for i, j in sorted(chosen)]

    def sites(self, destination: str | None) -> list[destinations_repo.DiveSite]:
        def load(conn: Any) -> list[destinations_repo.DiveSite]:
            if destination:
                return destinations_repo.sites_for_destination(conn, destination)
            return [site for d in destinations_repo.list_destinations(conn) for site in d.sites]

        return self.pool.run(load, transaction=False)
