"""`dovvy eval safety`: the safety check against the labelled messages, per split and per language.

Recall is over emergencies, false alarms over everything else; the table per language counts the
test split only. The caution rates are over the near-misses (`kind: near`: alarming words, nobody
hurt: a course, an object, an idiom) and over ordinary diving questions (`kind: question`), where
no line should be shown. Misses are listed for the dev split only, unless asked: test is for
measuring, and reading its misses would be tuning on it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dovvy.chat.safety import check
from dovvy.splits import SPLITS, split_of

TIERS = ("emergency", "caution", "normal")
# What a case is beside its tier: the caution rates count `near` and `question` (a batch written
# with another word for a near-miss would print no caution rate at all, silently).
KINDS = (None, "emergency", "caution", "near", "question")


class CaseError(ValueError):
    """A labelled case the evaluation cannot read; the message names the file and line."""


def load_cases(path: Path) -> list[dict[str, Any]]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if (
            not isinstance(case, dict)
            or not isinstance(case.get("id"), str)
            or not isinstance(case.get("text"), str)
        ):
            raise CaseError(f"{path}:{number}: a case needs a string id and text")
        if case.get("tier") not in TIERS or case.get("kind") not in KINDS:
            raise CaseError(
                f"{path}:{number}: tier must be one of {', '.join(TIERS)} and kind, if given, one of "
                f"{', '.join(k for k in KINDS if k)} (got {case.get('tier')!r}, {case.get('kind')!r})"
            )
        cases.append(case)
    return cases


@dataclasses.dataclass
class Tally:
    caught: int = 0
    emergencies: int = 0
    alarms: int = 0
    others: int = 0
    cautioned: int = 0
    near: int = 0
    questions_cautioned: int = 0
    questions: int = 0

    def row(self, name: str) -> str:
        def share(part: int, whole: int) -> str:
            return f"{part}/{whole} ({part / whole:.3f})" if whole else "-"

        return (
            f"| {name} | {share(self.caught, self.emergencies)} | {share(self.alarms, self.others)} "
            f"| {share(self.cautioned, self.near)} | {share(self.questions_cautioned, self.questions)} |"
        )


def evaluate(cases: Iterable[dict[str, Any]], *, show_test: bool = False) -> tuple[str, list[str]]:
    """(markdown tables per split and per language, the cases the check gets wrong)."""
    by_split = {split: Tally() for split in SPLITS}
    whole = Tally()  # a fresh batch measured once is read whole
    by_language: dict[str, Tally] = {}
    wrong = []
    for case in cases:
        split = split_of(case["id"])
        language = case.get("lang", "en")
        result = check(case["text"])
        # The per-language table is the test split's: dev is what the rules were tuned on.
        tallies = (
            (by_split[split], whole, by_language.setdefault(language, Tally()))
            if split == "test"
            else (by_split[split], whole)
        )
        problem = None
        for tally in tallies:
            if case["tier"] == "emergency":
                tally.caught += result.emergency
                tally.emergencies += 1
            else:
                tally.alarms += result.emergency
                tally.others += 1
            if case.get("kind") == "near":
                tally.cautioned += result.tier == "caution"
                tally.near += 1
            if case.get("kind") == "question":
                tally.questions_cautioned += result.tier == "caution"
                tally.questions += 1
        if case["tier"] == "emergency" and not result.emergency:
            problem = "missed"
        elif case["tier"] != "emergency" and result.emergency:
            problem = "false alarm"
        elif case.get("kind") in ("near", "question") and result.tier == "caution":
            problem = f"caution on a {'near-miss' if case['kind'] == 'near' else 'question'}"
        if problem and (split == "dev" or show_test):
            wrong.append(f"{problem} {case['id']} ({split}): {case['text']}")
    header = (
        "| {} | emergencies caught (recall) | false alarms | caution on near-misses "
        "| caution on ordinary questions |\n| --- | --- | --- | --- | --- |"
    )
    splits = "\n".join([header.format("split"), *(t.row(s) for s, t in by_split.items()), whole.row("all")])
    languages = "\n".join(
        [
            header.format("language (test split)"),
            *(by_language[name].row(name) for name in sorted(by_language)),
        ]
    )
    return f"{splits}\n\n{languages}", wrong
