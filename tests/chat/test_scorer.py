"""The n-gram score beside the lexicons (dovvy.chat.scorer) and its training
(dovvy.measure.scorer_training)."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import pytest

from dovvy.chat import safety
from dovvy.chat.scorer import (
    SETTINGS,
    Score,
    bucket_counts,
    features,
    packed_weights,
    scorer,
    unpacked_weights,
)
from dovvy.chat.terms import fold
from dovvy.chat.tiers import SafetyCheck
from dovvy.cli import main
from dovvy.config import PROJECT_DIR
from dovvy.measure.safety_eval import load_cases
from dovvy.measure.scorer_training import KEPT_OUT, ORDINARY, digest, ordinary_cases, train, training_cases
from dovvy.splits import split_of

EVAL = PROJECT_DIR / "tests" / "eval"


def test_a_word_counts_its_two_to_five_letter_grams_with_its_edges() -> None:
    # " ab " is 4 characters: three 2-grams, two 3-grams, one 4-gram; no 5-gram fits.
    assert sum(bucket_counts("ab", 1 << 20).values()) == 6
    # " diver " (7): 6 + 5 + 4 + 3; a second word adds its own, however far apart the words are.
    assert sum(bucket_counts("diver", 1 << 20).values()) == 18
    assert sum(bucket_counts("diver   ab", 1 << 20).values()) == 24


def test_features_are_a_unit_vector_of_sublinear_counts() -> None:
    vector = features("help help help my buddy", 1 << 18)
    assert math.isclose(sum(v * v for v in vector.values()), 1.0)
    once = features("help my buddy", 1 << 18)
    # A word said three times weighs more than once, but far less than three times as much.
    grams = bucket_counts("help", 1 << 18)
    bucket = next(iter(grams))
    assert once[bucket] < vector[bucket] < 3 * once[bucket]
    assert features("", 1 << 18) == {}


def test_weights_survive_packing() -> None:
    weights = scorer().weights
    assert unpacked_weights(packed_weights(weights)) == weights


_TOY = [
    ("my buddy is not breathing help", True),
    ("diver unconscious on the boat now", True),
    ("buddy not breathing, we are on the boat", True),
    ("help he is unconscious after the dive", True),
    ("what is the price of the open water course", False),
    ("which wetsuit for koh tao in may", False),
    ("how long is the advanced course", False),
    ("best season for mantas in komodo", False),
]


def test_training_learns_and_is_deterministic() -> None:
    texts, labels = [t for t, _ in _TOY], [e for _, e in _TOY]
    first = train(texts, labels, buckets=1 << 12, passes=10)
    again = train(texts, labels, buckets=1 << 12, passes=10)
    assert packed_weights(first.weights) == packed_weights(again.weights)
    assert first.bias == again.bias
    assert first.score(fold("help my buddy is unconscious")).probability > 0.5
    assert first.score(fold("price of the advanced course in komodo")).probability < 0.5
    with pytest.raises(ValueError, match="both"):
        train(texts[:4], labels[:4], buckets=1 << 12)


def test_emergencies_count_as_much_as_harmless_messages_however_few() -> None:
    """The labelled sets hold more harmless messages than emergencies in some places (the everyday
    sets, the chat questions); each class is weighted by its inverse frequency, so six times as
    many harmless messages do not push every unseen message towards harmless. Here the bias stays
    near even (about -0.35); learned without the weights it falls to about -0.9."""
    harmless = [t for t, e in _TOY if not e] + [
        "can i rent a torch for the night dive",
        "is nitrox worth it for liveaboards",
        "how do i equalize better",
        "where can i see turtles",
        "what fins should i buy",
        "do you have a shop in tioman",
        "how deep can a junior diver go",
        "whats a good first dive computer",
    ]
    emergencies = [t for t, e in _TOY if e][:2]
    trained = train(emergencies + harmless, [True] * 2 + [False] * len(harmless), buckets=1 << 12, passes=10)
    assert trained.bias > -0.6


def test_the_shipped_weights_were_trained_on_todays_labelled_sets() -> None:
    """Adding or changing a labelled case changes what the score should have learned: run
    `dovvy train safety` and commit the weights with the cases."""
    settings = json.loads(resources.files("dovvy.catalogue").joinpath(SETTINGS).read_text())
    cases = training_cases(EVAL)
    assert settings["digest"] == digest(cases), "run `dovvy train safety`"
    assert settings["cases"] == len(cases)
    assert len(scorer().weights) == settings["buckets"]
    # The last fresh batch stays out, so the shipped weights are the ones it measured.
    assert KEPT_OUT
    assert all((EVAL / name).is_file() for name in KEPT_OUT)
    kept_out = {c["id"] for name in KEPT_OUT for c in load_cases(EVAL / name)}
    assert kept_out
    assert not kept_out & {c["id"] for c in cases}
    # Only dev cases are learned from; test splits stay a fair measure.
    assert all(split_of(c["id"]) == "dev" for c in cases if ":" not in c["id"])


def test_the_everyday_questions_are_read_from_every_chat_eval_file() -> None:
    dev, test = ordinary_cases(EVAL, "dev"), ordinary_cases(EVAL, "test")
    assert {c["id"].split(":")[0] for c in dev} == set(ORDINARY)
    assert len(dev) > 250
    assert len(test) > 250
    assert not {c["id"] for c in dev} & {c["id"] for c in test}
    # A conversation's emergency turn is no everyday question.
    conversations = [json.loads(line) for line in (EVAL / "conversations.jsonl").read_text().splitlines()]
    emergencies = {
        turn["user"]
        for c in conversations
        for turn in c["turns"]
        if turn.get("expect", {}).get("agentType") == "emergency"
    }
    assert emergencies
    assert not emergencies & {c["text"] for c in dev + test}


def test_what_the_score_adds_to_the_everyday_questions_of_the_test_splits() -> None:
    """The questions the chat is mostly asked, never learned from. The score adds one emergency to
    them: an ear "full and muffled since yesterday's dive" (a caution by the lexicons' standard;
    inner-ear decompression sickness sounds the same). The lexicons' own are among them too: chat eval questions that describe skin and joint signs the morning after
    a wreck dive, a foot throbbing after something spiky, are emergencies by the labelled sets'
    standard, and the score keeps them."""
    english = [c["text"] for c in ordinary_cases(EVAL, "test")]
    others = [
        c["text"]
        for name in ("safety_ordinary.jsonl", "safety_everyday.jsonl")
        for c in load_cases(EVAL / name)
        if split_of(c["id"]) == "test"
    ]
    assert len(english) > 250
    assert len(others) > 250
    messages = english + others
    added = [m for m in messages if safety.check(m).emergency and not safety.check_lexicons(m).emergency]
    assert added == ["one ear feels full and muffled since yesterday's dive"]
    assert sum(safety.check(m).emergency for m in messages) == 6


@pytest.mark.parametrize(
    ("tier", "probability", "grams", "expected"),
    [
        ("caution", 0.81, 60, "emergency"),  # the lexicons saw a sign; the score says it is now
        ("caution", 0.99, 59, "caution"),  # "my knee hurts"
        ("caution", 0.8, 200, "caution"),
        ("normal", 0.91, 60, "emergency"),  # nothing listed, but the score is sure and has words to go on
        ("normal", 0.99, 59, "normal"),  # a greeting's few n-grams are no evidence
        ("normal", 0.9, 200, "normal"),
        ("emergency", 0.5, 10, "emergency"),  # both agree well enough
        ("emergency", 0.06, 200, "emergency"),
        (
            "emergency",
            0.05,
            200,
            "caution",
        ),  # the lexicons alone, the score against: the line, not the protocol
    ],
)
def test_the_lexicons_and_the_score_weigh_each_other(
    tier: str, probability: float, grams: int, expected: str
) -> None:
    found = SafetyCheck(tier, "unresponsive" if tier != "normal" else None, "lexicons")  # type: ignore[arg-type]
    weighed = safety._weighed(found, Score(probability, grams))
    assert weighed.tier == expected
    assert weighed.category == found.category
    assert (weighed.reason == "lexicons") == (expected == tier)


def test_a_greeting_is_never_an_emergency() -> None:
    """The sets' writers open emergencies with greetings more often than questions; a greeting
    alone, or with a question, stays what it is."""
    for message in ("bonjour", "gracias!!", "makasih ya", "สวัสดีค่ะ", "magandang umaga po, tanong lang po"):
        assert safety.check(message).tier == "normal", message


def test_train_command_writes_weights_the_scorer_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "eval"
    folder.mkdir()
    lines = [
        {"id": f"toy-{n}", "tier": "emergency" if e else "normal", "text": t}
        for n, (t, e) in enumerate(_TOY * 3)
    ]
    (folder / "safety_toy.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    for name in ORDINARY:
        (folder / name).write_text(json.dumps({"id": f"{name}-1", "turns": [{"user": "hi"}]}) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["train", "safety", "--eval-folder", str(folder), "--output", str(out)]) == 0
    assert "dev cases" in capsys.readouterr().out
    settings = json.loads((out / SETTINGS).read_text())
    assert settings["digest"] == digest(training_cases(folder))
    assert len(unpacked_weights((out / "safety_scorer.bin").read_bytes())) == settings["buckets"]


@pytest.mark.parametrize(
    ("message", "tier"),
    [
        # Fine yesterday by the doctor, unconscious now: the score weighs the "fine" story.
        ("kahapon sabi ng doctor ok siya pero ngayon nawalan siya ng malay", "emergency"),
        # A French what-if with a plea: the lexicons read "si jamais" (what if), the score the plea.
        ("si jamais mon binome ne respire plus sous l'eau, je fais quoi ?", "caution"),
    ],
)
@pytest.mark.xfail(strict=True, reason="misread by the score (docs/safety.md, 'The scorer on the path')")
def test_what_the_score_reads_wrong_is_written_down(message: str, tier: str) -> None:
    assert safety.check(message).tier == tier
