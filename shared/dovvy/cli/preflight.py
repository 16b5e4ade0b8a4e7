"""`dovvy deploy preflight aws|gcp`: what a first `terraform apply` needs from the account or
project, checked with the user's own credentials before anything is created, each problem with
what to do. Read-only: it lists and describes, never creates. This module holds what both clouds
share; `preflight_aws` and `preflight_gcp` hold each cloud's checks.

Each check is one of: ok, warn (the apply works, something is worth knowing), fail (the apply or
the first request would fail) or unknown (the check itself could not run: do it by hand).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

BUNDLES = ("session", "lead", "chat", "ingest", "migrate", "jobs", "telegram")
MODEL_SECRETS = ("gemini-api-key", "groq-api-key")


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str
    status: str  # ok, warn, fail, unknown
    detail: str
    fix: str = ""


def report(findings: list[Finding]) -> str:
    width = max(len(f.check) for f in findings)
    lines = []
    for f in findings:
        lines.append(f"{f.status.upper():<7} {f.check:<{width}}  {f.detail}")
        if f.fix and f.status != "ok":
            lines.append(f"{'':<7} {'':<{width}}  -> {f.fix}")
    failed = sum(f.status == "fail" for f in findings)
    lines.append(f"{failed} to fix before the first apply" if failed else "nothing stops a first apply")
    return "\n".join(lines)


def guarded(name: str, check: Callable[[], Finding | list[Finding]]) -> list[Finding]:
    """A check that cannot run (no permission, an API the emulator lacks) is `unknown`, not a crash."""
    try:
        found = check()
    except Exception as exc:  # each cloud SDK raises its own kinds; the message is the report
        return [
            Finding(
                name, "unknown", f"could not check ({type(exc).__name__}: {str(exc)[:160]})", "check by hand"
            )
        ]
    return found if isinstance(found, list) else [found]


def bundles(build_dir: Path, cloud: str) -> Finding:
    kind = "zip" if cloud == "aws" else "dir"
    missing = [b for b in BUNDLES if not (build_dir / cloud / (f"{b}.zip" if kind == "zip" else b)).exists()]
    if missing:
        return Finding("bundles", "fail", f"not built: {', '.join(missing)}", "run `make package`")
    return Finding("bundles", "ok", f"all {len(BUNDLES)} in {build_dir / cloud}")


def model_secret(label: str, name: str, state: str, fix: str) -> Finding:
    """A model key's secret: `missing` (the first deploy's step 1 creates it), `empty` or `set`.
    Without the Gemini key chat and ingest cannot embed; without another, its provider is off."""
    if state == "set":
        return Finding(label, "ok", "has a value")
    if state == "missing":
        return Finding(
            label,
            "warn",
            "not created yet",
            "step 1 of the first deploy creates it; put its value before step 2",
        )
    if name == "gemini-api-key":
        return Finding(label, "fail", "no value: chat and ingest cannot embed", fix)
    return Finding(label, "warn", "no value: its provider is off", fix)
