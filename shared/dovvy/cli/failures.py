"""What went wrong, in one line a newcomer can act on: the `dovvy` command never shows a traceback
(unless `--debug`). Usage and configuration errors exit 2, failures 1."""

from __future__ import annotations


class UsageError(Exception):
    """The command was asked for something it cannot do as asked (exit 2)."""


class Failure(Exception):
    """The command ran and failed for a stated reason (exit 1)."""


# PostgreSQL error codes worth a sentence of their own.
_SQLSTATES = {
    "28P01": "the database refused the login: check the user and password in DATABASE_URL",
    "28000": "the database refused the login: check the user in DATABASE_URL",
    "3D000": "the database named in DATABASE_URL does not exist: create it, or fix the name",
    "42P01": "the database has no schema yet (or an old one): run `dovvy migrate` first",
    "42703": "the database schema is out of date: run `dovvy migrate` first",
    "57P03": "the database is starting up or shutting down: try again in a moment",
}


def _sqlstate(exc: BaseException) -> str | None:
    """The first PostgreSQL error code along the chain of causes (logs.sqlstate reads one)."""
    from dovvy.logs import sqlstate

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = sqlstate(current)
        if state:
            return state
        current = current.__cause__ or current.__context__ or getattr(current, "orig", None)
    return None


def explain(exc: BaseException) -> tuple[str, int]:
    """(message, exit status) for any exception a command let through."""
    from dovvy.errors import ConfigError, DatabaseUnavailable

    if isinstance(exc, ConfigError):
        return f"configuration error: {exc}", 2
    if isinstance(exc, UsageError):
        return str(exc), 2
    if isinstance(exc, Failure):
        return str(exc), 1
    state = _sqlstate(exc)
    if state in _SQLSTATES:
        return _SQLSTATES[state], 1
    network = isinstance(exc, TimeoutError | ConnectionError)
    if (
        network
        or isinstance(exc, DatabaseUnavailable)
        or type(exc).__name__ in {"InterfaceError", "OperationalError"}
    ):
        reason = str(getattr(exc, "orig", None) or exc).split("\n")[0]
        return (
            f"cannot reach the database ({reason}); check DATABASE_URL, or unset it to use the embedded one",
            1,
        )
    name = type(exc).__name__
    if name == "CommandError":  # alembic: an unknown revision, most often
        return f"migration: {exc}", 2
    if name in {"SeedError", "CatalogueError", "PruneRefused", "EmbeddingError", "LLMError"}:
        return str(exc), 1
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or exc}", 1
    if name == "CalledProcessError":
        return "the embedded database did not start; see its log in DOVVY_DATA_DIR/pg/log", 1
    return f"unexpected error ({name}); run again with --debug to see where", 1
