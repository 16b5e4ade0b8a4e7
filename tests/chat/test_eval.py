"""The scripted conversations hold the chat to its safety promises and guard its overall quality."""

from __future__ import annotations

from dovvy.measure.chat_eval import evaluate_chat, format_table, load_conversations, tally
from dovvy.runtime import Runtime, chat_service
from tests.conftest import ROOT


def test_conversation_eval(chat_runtime: Runtime) -> None:
    conversations = load_conversations(ROOT / "tests" / "eval" / "conversations.jsonl")
    assert len(conversations) >= 40
    results = evaluate_chat(chat_service(chat_runtime), conversations)
    table = format_table(results)

    def rate(check: str) -> float:
        outcomes = [r.passed for r in results if r.check == check]
        return sum(outcomes) / len(outcomes)

    # Non-negotiable: every emergency recognised, nothing leaked.
    assert rate("safety") == 1.0, table
    assert rate("must_not_contain") == 1.0, table
    # The rest at today's figure, exactly (offline providers are deterministic; the README's table,
    # which tests/test_docs.py holds to `dovvy eval chat`): a floor at 0.88 let 7 checks regress.
    assert tally(results) == (138, 140), table


def test_chat_benchmark_runs_through_the_gateway(chat_runtime: Runtime) -> None:
    from dovvy.measure.chat_latency import run_chat_benchmark

    table = run_chat_benchmark(chat_runtime, requests=5, warmup=1)
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in table.splitlines()[2:]}
    assert rows["requests (after warm-up)"] == "5"
    assert "end to end p50 / p95" in table
    assert "stage retrieve" in table


def _passed_per_split(runtime: Runtime, name: str) -> dict[str, tuple[int, int]]:
    """(checks passed, checks) of tests/eval/<name> on each split."""
    service = chat_service(runtime)
    passed = {}
    for split in ("dev", "test"):
        results = evaluate_chat(service, load_conversations(ROOT / "tests" / "eval" / name, split))
        passed[split] = tally(results)
    return passed


def test_the_right_article_is_cited_whatever_its_type(chat_runtime: Runtime) -> None:
    """Questions whose answer lies outside the routed agent's types (tests/eval/cross_shelf.jsonl),
    at today's figures per split: the test split is measured, never tuned on (README)."""
    assert _passed_per_split(chat_runtime, "cross_shelf.jsonl") == {"dev": (53, 62), "test": (48, 58)}


def test_places_named_by_country_or_region(chat_runtime: Runtime) -> None:
    """tests/eval/places_times.jsonl at today's figures per split (docs/retrieval.md): answerable
    questions cite the right guide, questions about places no article mentions cite nothing."""
    assert _passed_per_split(chat_runtime, "places_times.jsonl") == {"dev": (24, 26), "test": (24, 24)}


def test_places_no_article_mentions_are_said_plainly(chat_runtime: Runtime) -> None:
    """tests/eval/not_covered.jsonl (docs/retrieval.md): out-of-scope questions declined, answerable
    ones answered from the right article, per split, at today's figures."""
    from dovvy.chat.turn import ChatTurn
    from dovvy.splits import split_of

    service = chat_service(chat_runtime)
    tally: dict[tuple[str, bool], list[bool]] = {}
    for case in load_conversations(ROOT / "tests" / "eval" / "not_covered.jsonl"):
        turn = case["turns"][0]
        answer = service.answer(ChatTurn(turn["user"]))
        paths = [s["path"] for s in answer["sources"]]
        right = not paths if case["out_of_scope"] else any(p in paths for p in turn["expect"]["sources_any"])
        tally.setdefault((split_of(case["id"]), case["out_of_scope"]), []).append(right)
    figures = {key: (sum(v), len(v)) for key, v in tally.items()}
    assert figures == {
        ("dev", False): (20, 22),
        ("dev", True): (17, 17),
        ("test", False): (23, 28),
        ("test", True): (26, 33),
    }


def test_the_retrieval_questions_asked_through_the_whole_chat(chat_runtime: Runtime) -> None:
    """tests/eval/retrieval.jsonl's questions as one-turn chats (`dovvy eval chat --file
    tests/eval/retrieval.jsonl`): answerable ones kept (an expected article cited), out-of-scope
    ones declined (nothing cited), per split at today's figures (docs/retrieval.md)."""
    service = chat_service(chat_runtime)
    figures = {}
    for split in ("dev", "test"):
        results = evaluate_chat(
            service, load_conversations(ROOT / "tests" / "eval" / "retrieval.jsonl", split)
        )
        for check in ("kept", "declined"):
            outcomes = [r.passed for r in results if r.check == check]
            figures[split, check] = (sum(outcomes), len(outcomes))
    assert figures == {
        ("dev", "kept"): (132, 133),
        ("dev", "declined"): (18, 23),
        ("test", "kept"): (111, 122),
        ("test", "declined"): (14, 19),
    }


def test_a_kept_answer_is_measured_by_the_article_its_first_sentence_comes_from() -> None:
    from dovvy.measure.chat_eval import CheckResult, _checks

    answer = {
        "message": "(Offline answer.)\n\nA planning line. [2]\nThe steps. [1]",
        "sources": [{"path": "skills/drift-diving.md"}, {"path": "destinations/raja-ampat.md"}],
    }
    checks = {
        check: passed for check, passed, _ in _checks({"sources_any": ["skills/drift-diving.md"]}, answer)
    }
    assert checks == {"kept": True, "first_sentence": False}
    declined = _checks({"sources_any": ["safety/equalization.md"]}, answer)
    assert [check for check, _, _ in declined] == ["kept"]  # nothing kept: nothing to measure
    table = format_table([CheckResult("c", 1, c, p) for c, p in checks.items()])
    assert "| first_sentence | 0 | 1 | 0.000 |" in table
    assert "| all checks | 1 | 1 | 1.000 |" in table  # a measure, not a check
