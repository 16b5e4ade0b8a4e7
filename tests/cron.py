"""The two schedule grammars our Terraform writes, as the clouds document them (moto and checkov
accept any string, so a wrong expression would first fail a real apply).

- EventBridge Scheduler `cron(minutes hours day-of-month month day-of-week year)`: six fields;
  `?` only in day-of-month or day-of-week, and exactly one of the two is `?`; `L`/`W` in
  day-of-month, `L`/`#` in day-of-week; increments `start/step` (AWS User Guide, "Schedule types on
  EventBridge Scheduler", cron-based schedules). Also `rate(N unit)`.
- Cloud Scheduler: unix-cron, five fields (minute hour day-of-month month day-of-week), `* , - /`,
  no `?` (Cloud Scheduler docs, "Cron job format and time zone").
"""

from __future__ import annotations

import re

_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()


def _range_problems(field: str, low: int, high: int, names: list[str], name_base: int) -> list[str]:
    problems = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            problems.append(f"bad increment '{part}'")
        if base == "*":
            continue
        for value in base.split("-", 1):
            if value.upper() in names:
                number = names.index(value.upper()) + name_base
            elif value.isdigit():
                number = int(value)
            else:
                problems.append(f"'{value}' is not a value")
                continue
            if not low <= number <= high:
                problems.append(f"{value} is outside {low}-{high}")
    return problems


def aws_problems(expression: str) -> list[str]:
    """What EventBridge Scheduler would reject in `expression` (empty when it is valid)."""
    if rate := re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression):
        value, unit = int(rate.group(1)), rate.group(2)
        return [] if value > 0 and unit.endswith("s") == (value != 1) else [f"bad rate {expression}"]
    match = re.fullmatch(r"cron\((.*)\)", expression)
    if not match:
        return [f"{expression!r} is neither cron(...) nor rate(...)"]
    fields = match.group(1).split()
    if len(fields) != 6:
        return [f"cron needs 6 fields (a year last), got {len(fields)}"]
    minutes, hours, dom, month, dow, year = fields
    problems = []
    if (dom == "?") == (dow == "?"):
        problems.append("exactly one of day-of-month and day-of-week must be '?'")
    for field in (minutes, hours, month, year):
        if "?" in field:
            problems.append(f"'?' is allowed only in day-of-month or day-of-week, not '{field}'")
    for field, low, high in ((minutes, 0, 59), (hours, 0, 23), (year, 1970, 2199)):
        if field.startswith("*/"):
            problems.append(f"increments start from a value ('0/15'), not '{field}'")
        elif "?" not in field:
            problems += _range_problems(field, low, high, [], 0)
    if dom not in {"?", "L"} and not re.fullmatch(r"\d{1,2}W", dom):
        problems += _range_problems(dom, 1, 31, [], 0)
    problems += _range_problems(month, 1, 12, _MONTHS, 1)
    if dow != "?" and not re.fullmatch(r"[1-7]L|[1-7]#[1-5]", dow):
        problems += _range_problems(dow, 1, 7, _DAYS, 1)
    return problems


def unix_problems(expression: str) -> list[str]:
    """What Cloud Scheduler's unix-cron would reject in `expression` (empty when it is valid)."""
    fields = expression.split()
    if len(fields) != 5:
        return [f"unix-cron needs 5 fields, got {len(fields)}"]
    if "?" in expression:
        return ["unix-cron has no '?'"]
    minutes, hours, dom, month, dow = fields
    return [
        *_range_problems(minutes, 0, 59, [], 0),
        *_range_problems(hours, 0, 23, [], 0),
        *_range_problems(dom, 1, 31, [], 0),
        *_range_problems(month, 1, 12, _MONTHS, 1),
        *_range_problems(dow, 0, 7, _DAYS, 0),
    ]
