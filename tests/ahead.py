"""Slow preparations started in the background as soon as collection shows the run needs them:
the bundles, a second build of two of them, and the AWS module applied on moto. Most of an apply on
moto is the provider waiting (an RDS instance alone polls for over a minute), and the builds use the
core pytest leaves idle, so the tests that need them find them ready instead of waiting in line.

A test run alone (no `start`) still gets each one: `result` then does the work in the caller."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ahead")
_STARTED: dict[str, Future[Any]] = {}
_LOCK = threading.Lock()
_FOLDERS: list[Path] = []
_CLEANUPS: list[Callable[[], None]] = []


def folder(name: str) -> Path:
    """A new folder for one preparation, removed when the run ends."""
    made = Path(tempfile.mkdtemp(prefix=f"dovvy-{name}-"))
    _FOLDERS.append(made)
    return made


def at_exit(cleanup: Callable[[], None]) -> None:
    _CLEANUPS.append(cleanup)


def package(out: Path, *functions: str) -> Path:
    """`make package` into `out` (only `functions` when given)."""
    chosen = [arg for name in functions for arg in ("--function", name)]
    command = [sys.executable, str(ROOT / "scripts" / "package_functions.py"), "--out", str(out), *chosen]
    subprocess.run(command, capture_output=True, text=True, check=True)
    return out


def _work() -> dict[str, Callable[[], Any]]:
    from tests import aws_on_moto

    return {
        "bundles": lambda: package(folder("build")),
        "second build": lambda: package(folder("build-again"), "session", "chat", "telegram"),
        "aws applied": lambda: aws_on_moto.apply(result("bundles"), folder("tf-aws")),
    }


def start(*names: str) -> None:
    work = _work()
    with _LOCK:
        for name in names:
            if name not in _STARTED:
                _STARTED[name] = _POOL.submit(work[name])


def result(name: str) -> Any:
    """The preparation's result, waiting for it if it was started, doing it now if not."""
    start(name)
    return _STARTED[name].result()


def finish() -> None:
    """At the end of the run: stop what the preparations left running and remove their folders."""
    for future in _STARTED.values():
        future.cancel()
    _POOL.shutdown(wait=True, cancel_futures=True)
    for cleanup in _CLEANUPS:
        cleanup()
    for made in _FOLDERS:
        shutil.rmtree(made, ignore_errors=True)
