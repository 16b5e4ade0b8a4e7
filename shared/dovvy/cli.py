"""The `dovvy` command: run the local gateway and look after the database and its data."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dovvy.config import Settings
from dovvy.errors import ConfigError

Command = Callable[[argparse.Namespace, Settings], int]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from dovvy.bootstrap import ingest_content, prepare, resolve_database
    from dovvy.gateway import create_gateway
    from dovvy.runtime import Runtime

    settings = resolve_database(settings)
    prepare(settings)
    print(f"knowledge base: {ingest_content(settings)}", flush=True)
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    runtime = Runtime(settings)
    print(f"DovvyBuddy gateway on http://{host}:{port}  (docs: http://{host}:{port}/docs)", flush=True)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; exiting through Python (not the
    # default handler) lets the embedded database stop with us.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        uvicorn.run(create_gateway(runtime), host=host, port=port, log_level="warning")
    finally:
        runtime.close()
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import connect_params, resolve_database
    from dovvy.db import migrate

    params = connect_params(resolve_database(settings))
    if args.downgrade:
        migrate.downgrade(params, args.downgrade)
    else:
        migrate.upgrade(params)
    print(f"schema at revision {migrate.current(params) or 'base'}")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import prepare, resolve_database

    prepare(resolve_database(settings))
    print(f"loaded {settings.seed_file}")
    return 0


def cmd_db_url(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import resolve_database

    # The embedded server is left running so the printed URL stays usable (psql, other tools).
    resolved = resolve_database(settings, stop_on_exit=False)
    assert resolved.database_url is not None
    print(resolved.database_url.reveal())
    return 0


def cmd_leads_retry(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import resolve_database
    from dovvy.notify import retry_pending
    from dovvy.runtime import Runtime

    runtime = Runtime(resolve_database(settings))
    if not runtime.notifiers:
        print("no lead notification is configured (LEAD_WEBHOOK_URL, LEAD_EMAIL_TO)")
        return 0
    sent, failed = retry_pending(runtime.pool, runtime.notifiers, max_attempts=settings.notify_max_attempts)
    runtime.close()
    print(f"leads notified: {sent} sent, {failed} failed")
    return 1 if failed else 0


def cmd_sessions_purge(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import resolve_database
    from dovvy.db import sessions
    from dovvy.runtime import Runtime

    runtime = Runtime(resolve_database(settings))
    removed = runtime.pool.run(sessions.purge_expired)
    runtime.close()
    print(f"expired sessions removed: {removed}")
    return 0


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
            paths, root=args.root or settings.content_dir, prune=args.prune, progress=terminal_progress
        )
    finally:
        runtime.close()
    for warning in stats.warnings:
        print(f"{warning.path}:{warning.line}: warning: {warning.message}")
    for problem in stats.problems:
        print(f"{problem}  (left out)")
    print(stats.summary())
    return 1 if stats.invalid else 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from dovvy.bootstrap import resolve_database
    from dovvy.knowledge.retrieval import Filters
    from dovvy.runtime import Runtime

    runtime = Runtime(resolve_database(settings))
    filters = Filters(
        doc_types=tuple(args.doc_type or ()),
        destination=args.destination,
        certification=args.certification,
    )

    def run(query: str) -> list[dict[str, object]]:
        passages = runtime.retriever.search(
            query,
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
        results = run(" ".join(args.query))
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            for rank, item in enumerate(results, start=1):
                where = f"{item['content_path']}  {item['title']} > {item['heading']}"
                print(f"{rank:>2}. {item['score']:.4f}  {where}")
    else:
        for line in sys.stdin:
            if line.strip():
                print(json.dumps({"query": line.strip(), "results": run(line.strip())}), flush=True)
    runtime.close()
    return 0


def cmd_eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import resolve_database
    from dovvy.knowledge.evaluation import evaluate_retrieval, format_table, load_questions
    from dovvy.runtime import Runtime

    runtime = Runtime(resolve_database(settings))
    questions = load_questions(args.file)
    results = evaluate_retrieval(runtime.retriever, questions)
    runtime.close()
    print(f"{len(questions)} questions, embedding model {runtime.embedder.model}")
    print(format_table(results))
    return 0


def cmd_eval_chat(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import resolve_database
    from dovvy.chat.evaluation import evaluate_chat, format_table, load_conversations
    from dovvy.runtime import Runtime, chat_service

    runtime = Runtime(resolve_database(settings))
    conversations = load_conversations(args.file)
    results = evaluate_chat(chat_service(runtime), conversations)
    runtime.close()
    providers = ", ".join(p.name for p in runtime.llm.providers)
    print(f"{len(conversations)} conversations, {len(results)} checks, providers: {providers}")
    print(format_table(results))
    if args.verbose:
        for result in results:
            if not result.passed:
                print(f"FAIL {result.conversation} turn {result.turn} {result.check}: {result.detail}")
    return 0


def cmd_eval_safety(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.chat.safety_eval import evaluate, load_cases

    table, wrong = evaluate(load_cases(args.file))
    print(table)
    for line in wrong:
        print(line)
    return 0


def cmd_bench_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import connect_params, resolve_database
    from dovvy.knowledge.benchmark import run_retrieval_benchmark

    params = connect_params(resolve_database(settings))
    print(run_retrieval_benchmark(params, chunks=args.chunks, queries=args.queries, ef_search=args.ef_search))
    return 0


def cmd_bench_chat(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import ingest_content, prepare, resolve_database
    from dovvy.chat.benchmark import run_chat_benchmark
    from dovvy.runtime import Runtime

    settings = resolve_database(settings)
    prepare(settings)
    ingest_content(settings)
    runtime = Runtime(settings)
    try:
        print(run_chat_benchmark(runtime, requests=args.requests))
    finally:
        runtime.close()
    return 0


def cmd_bench_coldstart(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.coldstart import measure

    print(measure(Path(__file__).resolve().parents[2], runs=args.runs))
    return 0


def _add_knowledge_commands(sub: Any) -> None:
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
        "--root",
        type=Path,
        help="the knowledge base's top folder; paths are stored relative to it (default DOVVY_CONTENT_DIR)",
    )
    ingest.set_defaults(func=cmd_ingest)

    search = sub.add_parser("search", help="search the knowledge base (queries from stdin if none given)")
    search.add_argument("query", nargs="*")
    search.add_argument("--top-k", type=int, default=5)
    search.add_argument("--mode", choices=["hybrid", "vector", "keyword"], default="hybrid")
    search.add_argument("--json", action="store_true", help="print results as JSON")
    search.add_argument("--documents", action="store_true", help="rank documents: one passage each")
    search.add_argument("--doc-type", action="append", help="only this doc_type (repeatable)")
    search.add_argument("--destination", help="only documents about this destination code")
    search.add_argument("--certification", help="leave out documents above this certification")
    search.set_defaults(func=cmd_search)


def _add_measuring_commands(sub: Any) -> None:
    evaluate = sub.add_parser("eval", help="measure quality").add_subparsers(
        dest="eval_command", required=True
    )
    retrieval_eval = evaluate.add_parser("retrieval", help="recall@k and MRR per search mode")
    retrieval_eval.add_argument("--file", type=Path, default=Path("tests/eval/retrieval.jsonl"))
    retrieval_eval.set_defaults(func=cmd_eval_retrieval)

    chat_eval = evaluate.add_parser("chat", help="pass rates of scripted conversations per check")
    chat_eval.add_argument("--file", type=Path, default=Path("tests/eval/conversations.jsonl"))
    chat_eval.add_argument("--verbose", action="store_true", help="list failed checks")
    chat_eval.set_defaults(func=cmd_eval_chat)

    safety_eval = evaluate.add_parser("safety", help="emergency recall and false alarms, dev and test")
    safety_eval.add_argument("--file", type=Path, default=Path("tests/eval/safety.jsonl"))
    safety_eval.set_defaults(func=cmd_eval_safety)

    bench = sub.add_parser("bench", help="measure speed").add_subparsers(dest="bench_command", required=True)
    retrieval_bench = bench.add_parser("retrieval", help="load, index and query synthetic chunks")
    retrieval_bench.add_argument("--chunks", type=int, default=100_000)
    retrieval_bench.add_argument("--queries", type=int, default=200)
    retrieval_bench.add_argument("--ef-search", type=int, default=100)
    retrieval_bench.set_defaults(func=cmd_bench_retrieval)

    chat_bench = bench.add_parser("chat", help="chat latency without the model, through the local gateway")
    chat_bench.add_argument("--requests", type=int, default=200)
    chat_bench.set_defaults(func=cmd_bench_chat)

    coldstart = bench.add_parser("coldstart", help="import time of each function's entry file")
    coldstart.add_argument("--runs", type=int, default=7)
    coldstart.set_defaults(func=cmd_bench_coldstart)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dovvy", description="DovvyBuddy backend tools")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the database if needed, migrate, seed and serve")
    serve.add_argument("--host", help="interface to bind (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default PORT or 8080)")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply migrations (or --downgrade REV)")
    migrate.add_argument("--downgrade", metavar="REV", help="downgrade to REV (e.g. base, 0001)")
    migrate.set_defaults(func=cmd_migrate)

    sub.add_parser("seed", help="migrate and load destinations and dive sites").set_defaults(func=cmd_seed)
    sub.add_parser("db-url", help="print the URL of the database in use").set_defaults(func=cmd_db_url)

    _add_knowledge_commands(sub)
    _add_measuring_commands(sub)

    leads = sub.add_parser("leads", help="lead notification tools").add_subparsers(
        dest="leads_command", required=True
    )
    leads.add_parser("retry", help="resend notifications that failed").set_defaults(func=cmd_leads_retry)

    sessions = sub.add_parser("sessions", help="session tools").add_subparsers(
        dest="sessions_command", required=True
    )
    sessions.add_parser("purge", help="delete expired sessions").set_defaults(func=cmd_sessions_purge)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        from dovvy import logs

        # Before any library can install its own handler; commands print their results on stdout.
        logs.configure(settings.log_level if args.func is cmd_serve else "WARNING")
        func: Command = args.func
        return func(args, settings)
    except ConfigError as exc:
        print(f"dovvy: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
