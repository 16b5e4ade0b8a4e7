"""The embedded PostgreSQL shared by several dovvy processes, and a data directory with a space."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from dovvy.db.embedded import _running_pid

HOLD = """
import sys
from pathlib import Path
from dovvy.db.embedded import EmbeddedPostgres
EmbeddedPostgres(Path(sys.argv[1])).start()
print("ready", flush=True)
sys.stdin.readline()
"""


def hold(data_dir: Path) -> subprocess.Popen[str]:
    """A process that uses the embedded server until its stdin closes."""
    # Storage moved out of a path with whitespace goes under XDG_DATA_HOME: keep it in the test's folder.
    env = {**os.environ, "XDG_DATA_HOME": str(data_dir.parent.parent / "xdg")}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data_dir)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def leave(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=60) == 0


def running(data_dir: Path) -> bool:
    return _running_pid((data_dir / "pg").resolve()) is not None


def test_the_last_process_out_stops_the_server_not_the_first(tmp_path: Path) -> None:
    first = hold(tmp_path)
    second = hold(tmp_path)
    leave(first)  # it started the server, but the second still uses it
    assert running(tmp_path)
    leave(second)
    deadline = time.monotonic() + 10
    while running(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(tmp_path)


def test_a_data_directory_with_a_space(tmp_path: Path) -> None:
    data_dir = tmp_path / "My Projects" / ".dovvy"
    process = hold(data_dir)
    try:
        assert running(data_dir)
        assert (data_dir / "pg").is_symlink()
        assert " " not in str((data_dir / "pg").resolve())
        assert (data_dir / "pg").resolve().is_relative_to(tmp_path / "xdg")
    finally:
        leave(process)
    assert not running(data_dir)
