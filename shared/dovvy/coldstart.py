"""`dovvy bench coldstart`: how long each function's entry file takes to import in a fresh process.

This is the part of a cold start the code controls: Lambda and Cloud Run add their own runtime
start-up on top. Each measurement is a new interpreter importing `functions/<name>/main.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

_PROBE = (
    "import time, runpy; started = time.perf_counter(); runpy.run_path({path!r}); "
    "print((time.perf_counter() - started) * 1000)"
)


def measure(root: Path, runs: int = 7) -> str:
    rows = []
    for name in ("session", "lead", "chat", "ingest"):
        path = str(root / "functions" / name / "main.py")
        timings = []
        for _ in range(runs):
            result = subprocess.run(  # noqa: S603 - our own interpreter and file
                [sys.executable, "-c", _PROBE.format(path=path)],
                capture_output=True,
                text=True,
                check=True,
                env={"DATABASE_URL": "postgresql://dovvy@127.0.0.1/dovvy", "PATH": ""},
            )
            timings.append(float(result.stdout.strip()))
        rows.append((name, statistics.median(timings), max(timings)))
    lines = ["| function | import p50 | max |", "| --- | --- | --- |"]
    lines += [f"| {name} | {p50:.0f} ms | {worst:.0f} ms |" for name, p50, worst in rows]
    return "\n".join(lines)
