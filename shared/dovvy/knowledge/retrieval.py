"""Hybrid retrieval in one SQL round trip: HNSW cosine leg + BM25 leg, fused by a weighted sum of
their scaled scores."""

from __future__ import annotations

from typing import Literal

from pgvector import Vector

from dovvy.catalogue.concepts import meanings
from dovvy.db.bm25 import TERM_HASH
from dovvy.db.pool import Pool
from dovvy.knowledge.filters import Filters
from dovvy.knowledge.query_text import focus, keyword_query, usage_params
from dovvy.passages import Passage
from dovvy.providers.embeddings import Embedder
from dovvy.text import WORD

Mode = Literal["hybrid", "vector", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "vector", "keyword")

# A question's words no article contains weigh as much as the rarest in `coverage`: they say it asks
# about something the knowledge base lacks (trimix, Palau). A question is about a few things, so
# only this many count; past them, an unknown word is a rambling message's chatter or typing
# ("hiya", "reckons", "somthing"), which would otherwise leave every article a small share of a
# long message. Chosen on the dev splits (docs/retrieval.md).
UNKNOWN_TERMS_COUNTED = 3


_VECTOR_LEG = """
vector_leg AS MATERIALIZED (
    SELECT id, content_path, 1 - (embedding <=> CAST(:embedding AS vector)) AS similarity
    FROM content_embeddings
    WHERE embedding_model = :model{filters}
    ORDER BY embedding <=> CAST(:embedding AS vector)
    LIMIT :candidates
),
vector_ranked AS (
    SELECT id, content_path, similarity,
           row_number() OVER (ORDER BY similarity DESC, id) AS rank
    FROM vector_leg
    WHERE similarity >= :min_similarity
)"""

# BM25 over the inverted index ingestion keeps (shared/dovvy/db/bm25.py): the question's terms by
# PostgreSQL's own `english` configuration, each weighted by its inverse chunk frequency, each
# chunk's term frequency and length counting title and heading terms `title_boost` and
# `heading_boost` times. Only chunks sharing a term with the question are touched.
_KEYWORD_LEG = (
    """
query_terms AS MATERIALIZED (
    SELECT q.term, """
    + TERM_HASH.format("q.term")
    + """ AS term_hash, s.chunk_count IS NOT NULL AS known,
           -- The question's own words (not those its concepts added): what `coverage` judges.
           q.term = ANY(tsvector_to_array(to_tsvector('english', :own_keywords))) AS own,
           -- A term no chunk contains weighs as much as the rarest can: it says the question is
           -- about something the knowledge base does not hold (see `coverage`).
           ln(1 + (c.chunk_count - coalesce(s.chunk_count, 0) + 0.5)
                  / (coalesce(s.chunk_count, 0) + 0.5)) AS idf,
           greatest((c.text_length + CAST(:title_boost AS float8) * c.title_length
                     + CAST(:heading_boost AS float8) * c.heading_length) / greatest(c.chunk_count, 1), 1)
               AS average_length
    FROM (SELECT lexeme AS term FROM unnest(to_tsvector('english', :keywords))
          UNION
          -- Divers' usage (catalogue/thesaurus.yaml), when a word of the phrase is in no article
          SELECT m.lexeme FROM unnest(CAST(:said AS text[]), CAST(:said_means AS text[])) AS u(said, means)
          CROSS JOIN LATERAL unnest(to_tsvector('english', u.means)) AS m
          WHERE EXISTS (SELECT 1 FROM unnest(to_tsvector('english', u.said)) AS w WHERE NOT EXISTS (
              SELECT 1 FROM term_stats k WHERE k.embedding_model = :model AND k.term = w.lexeme))) AS q
    CROSS JOIN corpus_stats c
    LEFT JOIN term_stats s ON s.embedding_model = c.embedding_model AND s.term = q.term
    WHERE c.embedding_model = :model
),
weighted_terms AS (
    SELECT term_hash, idf, average_length, own FROM query_terms WHERE known
),
keyword_scores AS (
    SELECT ct.chunk_id AS id,
           sum(w.idf * (ct.in_text + CAST(:title_boost AS float8) * ct.in_title
                        + CAST(:heading_boost AS float8) * ct.in_heading) * (CAST(:k1 AS float8) + 1)
               / ((ct.in_text + CAST(:title_boost AS float8) * ct.in_title
                   + CAST(:heading_boost AS float8) * ct.in_heading)
                  + CAST(:k1 AS float8) * (1 - CAST(:b AS float8) + CAST(:b AS float8)
                      * (ct.text_length + CAST(:title_boost AS float8) * ct.title_length
                         + CAST(:heading_boost AS float8) * ct.heading_length) / w.average_length)))
               AS score
    FROM weighted_terms w
    JOIN chunk_terms ct ON ct.term_hash = w.term_hash{filter_join}
    GROUP BY ct.chunk_id
),
keyword_top AS MATERIALIZED (
    SELECT id, score FROM keyword_scores ORDER BY score DESC, id LIMIT :candidates
),
keyword_ranked AS (
    SELECT k.id, e.content_path, CAST(NULL AS double precision) AS similarity, k.score,
           row_number() OVER (ORDER BY k.score DESC, k.id) AS rank
    FROM keyword_top k JOIN content_embeddings e ON e.id = k.id AND e.embedding_model = :model
)"""
)

# With filters the postings are checked against their chunks before ranking; without, only the
# top candidates are looked up.
_KEYWORD_FILTER_JOIN = (
    "\n    JOIN content_embeddings fe ON fe.id = ct.chunk_id AND fe.embedding_model = :model{filters}"
)

# Each leg's scores on a common scale, per question: the vector leg's similarities stretched from its
# weakest candidate (0) to its best (1), BM25 scores as a share of the best (a keyword match weaker
# than the best stays proportionally weaker).
_VECTOR_ROWS = """SELECT id, content_path, CAST(:vector_share AS double precision) AS weight,
    rank AS vector_rank, CAST(NULL AS bigint) AS keyword_rank, similarity,
    coalesce((similarity - min(similarity) OVER ())
             / nullif(max(similarity) OVER () - min(similarity) OVER (), 0), 1) AS scaled
    FROM vector_ranked"""
_KEYWORD_ROWS = """SELECT id, content_path, 1 - CAST(:vector_share AS double precision) AS weight,
    CAST(NULL AS bigint) AS vector_rank, rank AS keyword_rank, similarity,
    coalesce(score / nullif(max(score) OVER (), 0), 0) AS scaled
    FROM keyword_ranked"""

# Fusion is a weighted sum of the legs' scaled scores, twice: a document scores by its best chunk in
# each leg (the two may be different chunks: it still gets credit from both), then chunks within a
# document by their own sum. Unlike reciprocal ranks, a leg that is sure (one document far ahead)
# counts for more than a leg whose candidates are all alike.
_FUSE = """
legs AS ({legs}),
documents AS (
    SELECT content_path, sum(best) AS score
    FROM (
        SELECT content_path, weight * max(scaled) AS best
        FROM legs GROUP BY content_path, weight, (vector_rank IS NULL)
    ) AS best_per_leg
    GROUP BY content_path
),
chunks AS (
    SELECT id, content_path, sum(weight * scaled) AS score, min(vector_rank) AS vector_rank,
           min(keyword_rank) AS keyword_rank, max(similarity) AS similarity
    FROM legs GROUP BY id, content_path
),
per_document AS (
    SELECT e.id, e.content_path, e.chunk_text, e.metadata, d.score AS document_score, c.score,
           c.similarity, c.vector_rank, c.keyword_rank,
           row_number() OVER (PARTITION BY e.content_path ORDER BY c.score DESC, e.id) AS nth
    FROM chunks c
    JOIN documents d ON d.content_path = c.content_path
    JOIN content_embeddings e ON e.id = c.id
),
top AS MATERIALIZED (
    SELECT * FROM per_document
    WHERE nth <= :per_document
    ORDER BY document_score DESC, content_path, score DESC
    LIMIT :top_k
)
SELECT content_path, chunk_text, metadata, document_score, {similarity}, vector_rank, keyword_rank, {coverage}
FROM top
ORDER BY document_score DESC, content_path, score DESC
"""

# Evidence for whether a passage answers the question at all (knowledge/relevance.py), for the few
# rows returned, both for the passage's whole document (its sections answer together): the best
# cosine similarity of its chunks, and the share of the question's term weight it holds anywhere.
_SIMILARITY = """(SELECT max(1 - (x.embedding <=> CAST(:embedding AS vector))) FROM content_embeddings x
        WHERE x.content_path = top.content_path AND x.embedding_model = :model) AS similarity"""
_COVERAGE = """(SELECT coalesce(sum(w.idf), 0) FROM weighted_terms w WHERE w.own AND EXISTS (
        SELECT 1 FROM content_embeddings x
        JOIN chunk_terms ct ON ct.chunk_id = x.id AND ct.term_hash = w.term_hash
        WHERE x.content_path = top.content_path AND x.embedding_model = :model))
    / nullif((SELECT coalesce(sum(idf) FILTER (WHERE known), 0)
                     + least(count(*) FILTER (WHERE NOT known), CAST(:unknown_counted AS int))
                       * coalesce(max(idf) FILTER (WHERE NOT known), 0)
              FROM query_terms WHERE own), 0) AS coverage"""


def _query_sql(mode: Mode, filters: str) -> str:
    ctes = []
    legs = []
    if mode in ("hybrid", "vector"):
        ctes.append(_VECTOR_LEG.format(filters=filters))
        legs.append(_VECTOR_ROWS)
    if mode in ("hybrid", "keyword"):
        join = _KEYWORD_FILTER_JOIN.format(filters=filters) if filters else ""
        ctes.append(_KEYWORD_LEG.replace("{filter_join}", join))
        legs.append(_KEYWORD_ROWS)
    ctes.append(
        _FUSE.format(
            legs=" UNION ALL ".join(legs),
            similarity=_SIMILARITY if mode != "keyword" else "similarity",
            coverage=_COVERAGE if mode != "vector" else "CAST(NULL AS double precision) AS coverage",
        )
    )
    return "WITH" + ",".join(ctes)


class Retriever:
    def __init__(
        self,
        pool: Pool,
        embedder: Embedder,
        *,
        candidates: int = 40,
        min_similarity: float = 0.2,
        per_document: int = 2,
        vector_share: float = 0.35,
        k1: float = 2.0,
        b: float = 0.75,
        title_boost: float = 3.0,
        heading_boost: float = 1.5,
        expand: bool = True,
    ) -> None:
        # BM25's k1, b and field weights were chosen on the dev split of tests/eval/retrieval.jsonl
        # (docs/retrieval.md), on the keyword leg alone: repeated and title terms count more than
        # the textbook gives them. `vector_share`: chosen on the mean MRR of six tuning corpora (the
        # dev split, four independent corpora, the web app's articles) once the keyword leg had
        # learned the articles' words and divers' usage; 0.3 to 0.4 within 0.002 (docs/retrieval.md).
        self.vector_share = vector_share
        self.pool = pool
        self.embedder = embedder
        self.candidates = candidates
        self.min_similarity = min_similarity
        self.per_document = per_document
        self.keyword_leg = {"k1": k1, "b": b, "title_boost": title_boost, "heading_boost": heading_boost}
        self.keyword_leg["unknown_counted"] = UNKNOWN_TERMS_COUNTED
        self.expand = expand  # search with the articles' words too (catalogue/concepts)

    def search(
        self,
        query: str,
        *,
        top_k: int = 5,
        mode: Mode = "hybrid",
        filters: Filters | None = None,
        per_document: int | None = None,
        embedding: list[float] | None = None,
    ) -> list[Passage]:
        """Ranked passages; `embedding` skips embedding the query when the caller already has it."""
        if not WORD.search(query):
            return []
        filter_sql, params = (filters or Filters()).sql()
        own_keywords = keyword_query(query)
        keywords = keyword_query(f"{query} {meanings(query)}" if self.expand else query)
        if mode == "keyword" and not keywords:
            return []
        if mode == "hybrid" and not keywords:
            mode = "vector"
        params.update(
            model=self.embedder.model,
            candidates=max(self.candidates, top_k),
            vector_share={"hybrid": self.vector_share, "vector": 1.0, "keyword": 0.0}[mode],
            per_document=per_document or self.per_document,
            top_k=top_k,
        )
        if mode != "keyword":
            params["embedding"] = Vector(embedding or self.embedder.embed_query(focus(query)))
            params["min_similarity"] = self.min_similarity
        if mode != "vector":
            params.update(self.keyword_leg, keywords=keywords, own_keywords=own_keywords)
            params.update(usage_params(query if self.expand else ""))
        sql = _query_sql(mode, filter_sql)
        rows = self.pool.run(lambda conn: conn.run(sql, **params), transaction=False)
        return [
            Passage(
                content_path=path,
                title=str(metadata.get("title", path)),
                heading=str(metadata.get("heading", "")),
                text=text,
                score=float(score),
                similarity=None if similarity is None else float(similarity),
                vector_rank=vector_rank,
                keyword_rank=keyword_rank,
                metadata=metadata,
                coverage=None if coverage is None else float(coverage),
            )
            for path, text, metadata, score, similarity, vector_rank, keyword_rank, coverage in rows
        ]
