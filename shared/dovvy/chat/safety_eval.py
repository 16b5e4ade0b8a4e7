"""`dovvy eval safety`: the safety check against the labelled messages, per split."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dovvy.chat.safety import check
from dovvy.splits import SPLITS, split_of


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(cases: Iterable[dict[str, Any]]) -> tuple[str, list[str]]:
    """(a markdown table per split, the cases the check gets wrong)."""
    counts = {split: [0, 0, 0, 0] for split in SPLITS}  # caught, emergencies, false alarms, near-misses
    wrong = []
    for case in cases:
        row = counts[split_of(case["id"])]
        urgent = check(case["text"]).emergency
        if case["tier"] == "emergency":
            row[0] += urgent
            row[1] += 1
            if not urgent:
                wrong.append(f"missed {case['id']}: {case['text']}")
        else:
            row[2] += urgent
            row[3] += 1
            if urgent:
                wrong.append(f"false alarm {case['id']}: {case['text']}")
    lines = [
        "| split | emergencies caught | recall | false alarms | false-alarm rate |",
        "| --- | --- | --- | --- | --- |",
    ]
    for split, (caught, total, alarms, near) in counts.items():
        recall = caught / total if total else 0.0
        rate = alarms / near if near else 0.0
        lines.append(f"| {split} | {caught}/{total} | {recall:.3f} | {alarms}/{near} | {rate:.3f} |")
    return "\n".join(lines), wrong
