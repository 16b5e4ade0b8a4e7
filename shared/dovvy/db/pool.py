"""A small, thread-safe pool of pg8000 native connections: lazy, checked, and re-opened when dead.

Lambda handles one request per container, so the pool holds one connection there; Cloud Run
functions serve several requests per instance, so the pool is sized to that concurrency.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from dovvy import logs
from dovvy.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from dovvy.db.url import ConnectParams

T = TypeVar("T")


class Connection(Protocol):
    """The part of `pg8000.native.Connection` we use; rows come back as lists."""

    def run(self, sql: str, stream: Any = None, types: Any = None, **params: Any) -> Any: ...

    def close(self) -> None: ...


log = logging.getLogger(__name__)

# SQLSTATEs that mean "this connection is gone": admin shutdown, crash shutdown, cannot connect now.
_DEAD_CONNECTION_STATES = {"57P01", "57P02", "57P03", "08000", "08003", "08006"}


def driver_errors() -> tuple[type[Exception], ...]:
    """What a failed statement or connection raises. pg8000 is imported on first use, not at start-up:
    a cold function answering /health or a preflight never loads the driver (~20 ms)."""
    from pg8000.exceptions import DatabaseError, InterfaceError

    return (InterfaceError, DatabaseError, OSError)


# pg8000 raises InterfaceError both for a dead socket and for a mistake in the call (a placeholder
# without a value, a parameter of a type it cannot send): only these messages are the connection's.
_DEAD_CONNECTION_MESSAGES = {"network error", "communication error", "connection is closed"}


def is_connection_error(exc: BaseException) -> bool:
    from pg8000.exceptions import DatabaseError, InterfaceError

    if isinstance(exc, OSError):
        return True
    if isinstance(exc, InterfaceError):
        message = exc.args[0] if exc.args else None
        return isinstance(exc.__cause__, OSError) or message in _DEAD_CONNECTION_MESSAGES
    if isinstance(exc, DatabaseError) and exc.args and isinstance(exc.args[0], dict):
        return exc.args[0].get("C") in _DEAD_CONNECTION_STATES
    return False


class _Slot:
    __slots__ = ("conn", "last_used")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.last_used = time.monotonic()


class Pool:
    def __init__(
        self,
        params: ConnectParams,
        *,
        max_size: int = 4,
        ping_after_seconds: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        """`timeout` bounds connecting, waiting for a free connection, and each statement (it is
        pg8000's socket timeout)."""
        self._params = params
        self._ping_after = ping_after_seconds
        self._timeout = timeout
        self._idle: list[_Slot] = []
        self._lock = threading.Lock()
        self._capacity = threading.BoundedSemaphore(max_size)
        self.connects = 0

    @property
    def params(self) -> ConnectParams:
        return self._params

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """Borrow a connection; a connection that failed at the network level is not returned."""
        if not self._capacity.acquire(timeout=self._timeout):
            raise DatabaseUnavailable("timed out waiting for a database connection")
        slot: _Slot | None = None
        try:
            slot = self._checkout()
            try:
                yield slot.conn
            except BaseException as exc:
                if is_connection_error(exc):
                    _close_quietly(slot.conn)
                    slot = None
                raise
        finally:
            if slot is not None:
                slot.last_used = time.monotonic()
                with self._lock:
                    self._idle.append(slot)
            self._capacity.release()

    def run(self, work: Callable[[Connection], T], *, transaction: bool = True) -> T:
        """Run `work` in one transaction; if the connection was dead, reconnect and run it once more.

        Only a connection-level failure is retried: the server never saw a COMMIT, so nothing ran twice.
        The time it takes counts towards the request's `db` stage.
        """
        started = time.perf_counter()
        try:
            return self._run(work, transaction)
        finally:
            logs.add_stage("db", (time.perf_counter() - started) * 1000)

    def _run(self, work: Callable[[Connection], T], transaction: bool) -> T:
        for attempt in (1, 2):
            try:
                with self.connection() as conn:
                    if not transaction:
                        return work(conn)
                    conn.run("BEGIN")
                    try:
                        result = work(conn)
                    except BaseException:
                        with contextlib.suppress(Exception):
                            conn.run("ROLLBACK")
                        raise
                    conn.run("COMMIT")
                    return result
            except driver_errors() as exc:
                if not is_connection_error(exc):
                    raise
                if isinstance(exc, TimeoutError) or isinstance(exc.__cause__, TimeoutError):
                    # The server may still be running the statement: running it again could
                    # apply it twice. The connection is already discarded; report and stop.
                    raise DatabaseUnavailable("database did not answer in time") from exc
                if attempt == 2:
                    raise DatabaseUnavailable("database connection lost") from exc
                # One dead connection usually means the server restarted: every idle one is dead
                # too, and trying them one by one would fail a request each.
                self.close()
                log.warning("database connection lost; reconnecting", extra={"error": type(exc).__name__})
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for slot in idle:
            _close_quietly(slot.conn)

    def _checkout(self) -> _Slot:
        while True:
            with self._lock:
                slot = self._idle.pop() if self._idle else None
            if slot is None:
                return _Slot(self._connect())
            if time.monotonic() - slot.last_used < self._ping_after or self._alive(slot.conn):
                return slot
            _close_quietly(slot.conn)

    def _connect(self) -> Connection:
        try:
            conn: Connection = _connection_class()(**self._params.connect_kwargs(self._timeout))
        except driver_errors() as exc:
            raise DatabaseUnavailable(f"cannot connect to the database ({type(exc).__name__})") from exc
        self.connects += 1
        _register_types(conn)
        return conn

    @staticmethod
    def _alive(conn: Connection) -> bool:
        try:
            conn.run("SELECT 1")
        except driver_errors():
            return False
        return True


@functools.cache
def _connection_class() -> type:
    """pg8000's native connection, remembering each statement's translation.

    pg8000 turns `:name` placeholders into `$n` by scanning the SQL in Python on every call: 1.4 ms
    for the hybrid search's statement, a third of its time at 100k chunks (docs/benchmarks.md). Our
    statements are a fixed set of strings, so each is translated once per process.
    """
    from collections import defaultdict

    import pg8000.native

    translate = functools.lru_cache(maxsize=512)(pg8000.native.to_statement)

    class _Connection(pg8000.native.Connection):  # type: ignore[misc]
        def run(self, sql: str, stream: Any = None, types: Any = None, **params: Any) -> Any:
            if not params and stream is None:
                return super().run(sql)
            statement, make_values = translate(sql)
            oids = () if types is None else make_values(defaultdict(lambda: None, types))
            self._context = self.execute_unnamed(statement, make_values(params), oids=oids, stream=stream)
            return self._context.rows

    return _Connection


# Search-time HNSW settings: ef_search 100 measured recall@10 ~0.95 at 100k chunks
# (docs/benchmarks.md); iterative scans (pgvector 0.8+) keep filtered searches from coming up short.
# Migration 0008 stores them as the role's defaults in the database; a connection SETs only what it
# finds missing, since a session-level SET pins the session behind RDS Proxy.
VECTOR_SETTINGS = {"hnsw.ef_search": "100", "hnsw.iterative_scan": "relaxed_order"}


def missing_settings(conn: Connection) -> list[str]:
    """The search settings this session does not already have, as SET statements."""
    names = list(VECTOR_SETTINGS)
    row = conn.run(
        "SELECT " + ", ".join(f"current_setting(:p{i}, true)" for i in range(len(names))),
        **{f"p{i}": name for i, name in enumerate(names)},
    )[0]
    return [
        f"SET {name} = {VECTOR_SETTINGS[name]}"
        for name, current in zip(names, row, strict=True)
        if current != VECTOR_SETTINGS[name]
    ]


def _register_types(conn: Connection) -> None:
    from pgvector.pg8000 import register_vector

    try:
        register_vector(conn)
    except RuntimeError:
        # The extension appears with the first migration; until then there is nothing to register.
        log.debug("pgvector extension not installed yet")
        return
    for statement in missing_settings(conn):
        try:
            conn.run(statement)
        except driver_errors():
            log.info("setting not supported by this pgvector", extra={"statement": statement})


def _close_quietly(conn: Connection) -> None:
    with contextlib.suppress(Exception):
        conn.close()
