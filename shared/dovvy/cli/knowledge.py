"""Commands for the knowledge base: validate, ingest, search."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dovvy.cli.failures import Failure, UsageError
from dovvy.config import Settings

if TYPE_CHECKING:
    from dovvy.runtime import Runtime

MAX_TOP_K = 100


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.knowledge.files import check

    paths = args.paths or [settings.content_dir]
    checked, problems, warnings = check(paths, strict=args.strict)
    for warning in warnings:
        print(f"{warning.path}:{warning.line}: warning: {warning.message}")
    for problem in problems:
        print(problem)
    print(f"{checked} documents checked, {len(problems)} problems, {len(warnings)} warnings", file=sys.stderr)
    return 1 if problems else 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import resolve_database
    from dovvy.knowledge.ingest import Ingestor, terminal_progress
    from dovvy.runtime import Runtime

    runtime = Runtime(resolve_database(settings))
    paths = args.paths or [settings.content_dir]
    ingestor = Ingestor(runtime.pool, runtime.embedder)
    try:
        stats = ingestor.ingest_paths(
            paths,
            root=args.root or settings.content_dir,
            prune=args.prune,
            prune_more_than_kept=args.yes,
            progress=terminal_progress,
        )
    finally:
        runtime.close()
    for warning in stats.warnings:
        print(f"{warning.path}:{warning.line}: warning: {warning.message}")
    for problem in stats.problems:
        print(f"{problem}  (left out)")
    print(stats.summary())
    return 1 if stats.invalid else 0


@contextlib.contextmanager
def searchable_runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime on the configured database, checked to hold documents for the configured embedder,
    closed afterwards: what every command that searches or measures starts with. On the embedded
    database it is first set up as `make run` sets it up (migrated, seeded, content/ ingested;
    cheap when nothing changed), so these commands work on a fresh clone; a configured
    DATABASE_URL is never changed by them."""
    from dovvy.bootstrap import set_up
    from dovvy.runtime import Runtime

    if settings.database_url is None:
        settings, ingested = set_up(settings)
        print(f"knowledge base: {ingested}", file=sys.stderr, flush=True)
    runtime = Runtime(settings)
    try:
        require_documents(runtime)
        yield runtime
    finally:
        runtime.close()


def require_documents(runtime: Runtime) -> None:
    """Fail with what to do when nothing is searchable with the configured embedder."""
    from dovvy.db import content

    counts = runtime.pool.run(content.documents_per_model, transaction=False)
    model = runtime.embedder.model
    if counts.get(model):
        return
    others = ", ".join(f"{n} with {m}" for m, n in counts.items())
    if not others:
        raise Failure("the knowledge base is empty: run `dovvy ingest` (or `make run`) first")
    raise Failure(
        f"no documents are embedded with {model}, the embedder configured now ({others}); setting or "
        "removing GEMINI_API_KEY switches it. Run `dovvy ingest` to embed them again, or set "
        "EMBEDDING_PROVIDER to the one they were embedded with."
    )


def _filters(args: argparse.Namespace, runtime: Runtime) -> Any:
    from dovvy import catalogue
    from dovvy.db import content
    from dovvy.knowledge.filters import Filters
    from dovvy.knowledge.frontmatter import DOC_TYPES

    unknown = [t for t in args.doc_type or () if t not in DOC_TYPES]
    if unknown:
        raise UsageError(f"unknown --doc-type {', '.join(unknown)} (known: {', '.join(DOC_TYPES)})")
    if args.certification and catalogue.level(args.certification) is None:
        levels = ", ".join(catalogue.level_names())
        raise UsageError(f"unknown --certification {args.certification!r} (known: {levels}, or OW, AOW, DM)")
    if args.destination:
        model = runtime.embedder.model
        known = runtime.pool.run(lambda conn: content.destination_codes(conn, model), transaction=False)
        if args.destination not in known:
            raise UsageError(
                f"unknown --destination {args.destination!r} (known: {', '.join(known) or 'none'})"
            )
    return Filters(
        doc_types=tuple(args.doc_type or ()), destination=args.destination, certification=args.certification
    )


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.text import words

    query = " ".join(args.query)
    if args.query and not words(query):
        raise UsageError("the query has no words to search for")
    with searchable_runtime(settings) as runtime:
        filters = _filters(args, runtime)

        def run(text: str) -> list[dict[str, object]]:
            passages = runtime.retriever.search(
                text,
                top_k=args.top_k,
                mode=args.mode,
                filters=filters,
                per_document=1 if args.documents else None,
            )
            return [
                {
                    "content_path": p.content_path,
                    "title": p.title,
                    "heading": p.heading,
                    "score": round(p.score, 5),
                }
                for p in passages
            ]

        if args.query:
            results = run(query)
            if args.json:
                print(json.dumps(results, indent=2))
            elif not results:
                print("no passages match", file=sys.stderr)
            for rank, item in enumerate([] if args.json else results, start=1):
                where = f"{item['content_path']}  {item['title']} > {item['heading']}"
                print(f"{rank:>2}. {item['score']:.4f}  {where}")
        else:
            for line in sys.stdin:
                if line.strip():
                    print(json.dumps({"query": line.strip(), "results": run(line.strip())}), flush=True)
    return 0


def _top_k(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_TOP_K}")
    return value


def add_commands(sub: Any) -> None:
    validate = sub.add_parser("validate", help="check knowledge-base documents (default: content/)")
    validate.add_argument("paths", nargs="*", type=Path)
    validate.add_argument(
        "--strict", action="store_true", help="every warning is a problem (the rules for content/)"
    )
    validate.set_defaults(func=cmd_validate)

    ingest = sub.add_parser("ingest", help="ingest markdown files or directories (default: content/)")
    ingest.add_argument("paths", nargs="*", type=Path)
    ingest.add_argument("--prune", action="store_true", help="remove documents no longer present")
    ingest.add_argument(
        "--yes",
        action="store_true",
        help="with --prune: delete even when that is more documents than it keeps",
    )
    ingest.add_argument(
        "--root",
        type=Path,
        help="the knowledge base's top folder; paths are stored relative to it (default DOVVY_CONTENT_DIR)",
    )
    ingest.set_defaults(func=cmd_ingest)

    search = sub.add_parser("search", help="search the knowledge base (queries from stdin if none given)")
    search.add_argument("query", nargs="*")
    search.add_argument("--top-k", type=_top_k, default=5, help=f"how many results, 1-{MAX_TOP_K}")
    search.add_argument("--mode", choices=["hybrid", "vector", "keyword"], default="hybrid")
    search.add_argument("--json", action="store_true", help="print results as JSON")
    search.add_argument("--documents", action="store_true", help="rank documents: one passage each")
    search.add_argument("--doc-type", action="append", help="only this doc_type (repeatable)")
    search.add_argument("--destination", help="only documents about this destination code")
    search.add_argument("--certification", help="leave out documents above this certification")
    search.set_defaults(func=cmd_search)
