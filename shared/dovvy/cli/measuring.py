"""Commands that measure: eval (retrieval, chat, safety), bench (retrieval, chat, coldstart), and
train (the safety scorer, from the labelled sets)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dovvy.cli.failures import UsageError
from dovvy.cli.knowledge import searchable_runtime
from dovvy.config import PROJECT_DIR, Settings

if TYPE_CHECKING:
    from dovvy.chat.store import Library
    from dovvy.runtime import Runtime

_EVAL = PROJECT_DIR / "tests" / "eval"


def _count(raw: str) -> int:
    """A whole number of at least one (chunks, queries, requests, connections...)."""
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number of at least 1")
    return value


def _library(runtime: Runtime) -> Library:
    """What the chat reads the knowledge base through, so the relevance rule is measured (and
    calibrated) on the ranking the chat shows it."""
    from dovvy.chat.store import Library

    return Library(runtime.pool, runtime.retriever)


def cmd_eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.knowledge.relevance import rates, thresholds_for
    from dovvy.measure.retrieval_eval import (
        evaluate_retrieval,
        format_rates,
        format_table,
        load_questions,
        relevance_cases,
    )

    questions = load_questions(args.file, args.split)
    with searchable_runtime(settings) as runtime:
        results = evaluate_retrieval(runtime.retriever, questions)
        cases = relevance_cases(_library(runtime), questions)
    print(f"{len(questions)} questions ({args.split}), embedding model {runtime.embedder.model}")
    print(format_table(results))
    print(format_rates(rates(thresholds_for(runtime.embedder.model), cases), cases))
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.knowledge.relevance import calibrate, rates, store
    from dovvy.measure.retrieval_eval import calibration_questions, format_rates, relevance_cases

    with searchable_runtime(settings) as runtime:
        model = runtime.embedder.model
        dev = relevance_cases(_library(runtime), calibration_questions(args.file, args.chat_file, "dev"))
        test = relevance_cases(_library(runtime), calibration_questions(args.file, args.chat_file, "test"))
    chosen = calibrate(dev)
    print(f"embedding model {model}: strong {chosen.strong}, weak {chosen.weak}, coverage {chosen.coverage}")
    print("dev (chosen on):\n" + format_rates(rates(chosen, dev), dev))
    print("test (measured):\n" + format_rates(rates(chosen, test), test))
    if args.dry_run:
        return 0
    store(model, chosen)
    print("stored in shared/dovvy/knowledge/relevance.json")
    return 0


def cmd_eval_chat(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.measure.chat_eval import evaluate_chat, format_table, load_conversations, tally
    from dovvy.runtime import chat_service

    conversations = load_conversations(args.file, args.split)
    with searchable_runtime(settings) as runtime:
        results = evaluate_chat(chat_service(runtime), conversations)
    providers = ", ".join(p.name for p in runtime.llm.providers)
    print(f"{len(conversations)} conversations, {tally(results)[1]} checks, providers: {providers}")
    print(format_table(results))
    if args.verbose:
        for result in results:
            if not result.passed:
                print(f"FAIL {result.conversation} turn {result.turn} {result.check}: {result.detail}")
    return 0


def cmd_eval_safety(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.measure.safety_eval import CaseError, evaluate, load_cases

    try:
        cases = load_cases(args.file)
    except CaseError as exc:
        raise UsageError(str(exc)) from None
    table, wrong = evaluate(cases, show_test=args.show_test)
    print(table)
    for line in wrong:
        print(line)
    return 0


def cmd_train_safety(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.measure.scorer_training import train_from, write

    trained = write(*train_from(args.eval_folder), args.output)
    counts = f"{trained['cases']} dev cases ({trained['emergencies']} emergencies)"
    print(f"trained on {counts}; weights in {args.output}")
    return 0


def cmd_bench_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import connect_params, resolve_database
    from dovvy.measure.retrieval_bench import run_retrieval_benchmark

    params = connect_params(resolve_database(settings))
    print(
        run_retrieval_benchmark(
            params, chunks=args.chunks, queries=args.queries, ef_search=args.ef_search, loaders=args.loaders
        )
    )
    return 0


def cmd_bench_search(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.measure.retrieval_eval import load_questions
    from dovvy.measure.search_bench import run_search_benchmark

    questions = [q.question for q in load_questions(args.file)]
    with searchable_runtime(settings) as runtime:
        print(run_search_benchmark(runtime.retriever, questions, rounds=args.rounds))
    return 0


def cmd_bench_chat(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import set_up
    from dovvy.measure.chat_latency import run_chat_benchmark
    from dovvy.runtime import Runtime

    settings, _ = set_up(settings)
    # A measurement, not abuse: one client sends hundreds of turns a minute (as in bench load).
    runtime = Runtime(settings.replace(rate_limits=False))
    try:
        print(run_chat_benchmark(runtime, requests=args.requests))
    finally:
        runtime.close()
    return 0


def cmd_bench_load(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.measure.load import run_load

    print(run_load(clients=args.clients, seconds=args.seconds, max_requests=args.max_requests))
    return 0


def cmd_bench_coldstart(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import connect_params, prepare, resolve_database
    from dovvy.measure.coldstart import measure

    build = args.build_dir or PROJECT_DIR / "build"
    print(measure(build, runs=args.runs, sentry=args.sentry))
    if args.health_only:
        return 0
    resolved = resolve_database(settings)
    prepare(resolved)
    print()
    print(measure(build, runs=args.runs, database=connect_params(resolved), sentry=args.sentry))
    return 0


def _eval_commands(sub: Any) -> None:
    evaluate = sub.add_parser("eval", help="measure quality").add_subparsers(
        dest="eval_command", required=True
    )
    retrieval_eval = evaluate.add_parser("retrieval", help="recall@k and MRR per search mode")
    retrieval_eval.add_argument("--file", type=Path, default=_EVAL / "retrieval.jsonl")
    retrieval_eval.add_argument(
        "--split",
        choices=("dev", "test", "all"),
        default="dev",
        help="tune on dev, report test (shared/dovvy/splits.py)",
    )
    retrieval_eval.set_defaults(func=cmd_eval_retrieval)

    chat_eval = evaluate.add_parser("chat", help="pass rates of scripted conversations per check")
    chat_eval.add_argument("--file", type=Path, default=_EVAL / "conversations.jsonl")
    chat_eval.add_argument("--verbose", action="store_true", help="list failed checks")
    chat_eval.add_argument(
        "--split",
        choices=("dev", "test", "all"),
        default="all",
        help="only the dev or the test half of the file, by the fixed rule (shared/dovvy/splits.py)",
    )
    chat_eval.set_defaults(func=cmd_eval_chat)

    safety_eval = evaluate.add_parser(
        "safety", help="emergency recall, false alarms and caution on near-misses, per split and language"
    )
    safety_eval.add_argument("--file", type=Path, default=_EVAL / "safety.jsonl")
    safety_eval.add_argument(
        "--show-test", action="store_true", help="also list the test split's misses (measure first)"
    )
    safety_eval.set_defaults(func=cmd_eval_safety)


def _calibrate_command(sub: Any) -> None:
    from dovvy.measure.retrieval_eval import CALIBRATION_CHATS

    calibrate = sub.add_parser(
        "calibrate",
        help="choose the nothing-relevant thresholds for the configured embedder on the dev splits",
    )
    calibrate.add_argument("--file", type=Path, default=_EVAL / "retrieval.jsonl")
    calibrate.add_argument(
        "--chat-file",
        type=Path,
        nargs="*",
        default=[_EVAL / name for name in CALIBRATION_CHATS],
        help="also the one-turn conversations of these chat eval files (none: --chat-file alone)",
    )
    calibrate.add_argument("--dry-run", action="store_true", help="print, do not store")
    calibrate.set_defaults(func=cmd_calibrate)


def _bench_commands(sub: Any) -> None:
    bench = sub.add_parser("bench", help="measure speed").add_subparsers(dest="bench_command", required=True)
    retrieval_bench = bench.add_parser("retrieval", help="load, index and query synthetic chunks")
    retrieval_bench.add_argument("--chunks", type=_count, default=100_000)
    retrieval_bench.add_argument("--queries", type=_count, default=200)
    retrieval_bench.add_argument("--ef-search", type=_count, default=100)
    retrieval_bench.add_argument(
        "--loaders", type=_count, default=2, help="connections loading the second half at once"
    )
    retrieval_bench.set_defaults(func=cmd_bench_retrieval)

    search_bench = bench.add_parser("search", help="a search with the articles' words added, and without")
    search_bench.add_argument("--file", type=Path, default=_EVAL / "retrieval.jsonl")
    search_bench.add_argument("--rounds", type=_count, default=7)
    search_bench.set_defaults(func=cmd_bench_search)

    chat_bench = bench.add_parser("chat", help="chat latency without the model, through the local gateway")
    chat_bench.add_argument("--requests", type=_count, default=200)
    chat_bench.set_defaults(func=cmd_bench_chat)

    load = bench.add_parser("load", help="many clients at once against the local gateway (loopback)")
    load.add_argument("--clients", type=_count, default=50)
    load.add_argument("--seconds", type=float, default=10.0)
    load.add_argument("--max-requests", type=_count, default=20_000)
    load.set_defaults(func=cmd_bench_load)

    coldstart = bench.add_parser(
        "coldstart",
        help="import + first request (/health, then a real one) of each Lambda bundle against a bare one",
    )
    coldstart.add_argument("--runs", type=_count, default=15)
    coldstart.add_argument("--health-only", action="store_true", help="only the /health table")
    coldstart.add_argument(
        "--build-dir", type=Path, help="where `make package` wrote aws/*.zip (default build/)"
    )
    coldstart.add_argument(
        "--sentry", action="store_true", help="each function also with SENTRY_DSN set (error reports on)"
    )
    coldstart.set_defaults(func=cmd_bench_coldstart)


def _train_command(sub: Any) -> None:
    train = sub.add_parser("train", help="learn from the labelled sets").add_subparsers(
        dest="train_command", required=True
    )
    safety = train.add_parser("safety", help="the safety scorer, from every safety set's dev split")
    safety.add_argument("--eval-folder", type=Path, default=_EVAL)
    safety.add_argument("--output", type=Path, default=PROJECT_DIR / "shared" / "dovvy" / "catalogue")
    safety.set_defaults(func=cmd_train_safety)


def add_commands(sub: Any) -> None:
    _eval_commands(sub)
    _train_command(sub)
    _calibrate_command(sub)
    _bench_commands(sub)
