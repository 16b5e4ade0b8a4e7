"""Commands that run the gateway and look after the database: serve, migrate, seed, db-url, db stop,
leads retry, sessions purge."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from typing import Any

from dovvy.cli.failures import Failure
from dovvy.config import Settings
from dovvy.env_values import port_number


def _port_free(host: str, port: int) -> None:
    """Fail before announcing the gateway when its address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise Failure(
                f"cannot listen on {host}:{port} ({exc.strerror}); set PORT or --port to another"
            ) from None


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from dovvy.bootstrap import set_up
    from dovvy.gateway import SERVER_OPTIONS, create_gateway
    from dovvy.runtime import Runtime

    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    _port_free(host, port)
    settings, ingested = set_up(settings)
    settings = settings.with_local_limits()
    print(f"knowledge base: {ingested}", flush=True)
    print(f"abuse limits: {_limits_line(settings)}", flush=True)
    runtime = Runtime(settings)
    _port_free(host, port)
    print(f"DovvyBuddy gateway on http://{host}:{port}  (docs: http://{host}:{port}/docs)", flush=True)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; exiting through Python (not the
    # default handler) lets the embedded database stop with us.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        uvicorn.run(create_gateway(runtime), host=host, port=port, log_level="warning", **SERVER_OPTIONS)
    finally:
        runtime.close()
    return 0


def _limits_line(settings: Settings) -> str:
    if not settings.rate_limits:
        return "off (RATE_LIMITS)"
    deployed = Settings()
    return (
        f"{settings.rate_leads_per_hour} leads and {settings.rate_sessions_per_hour} sessions an hour, "
        f"{settings.rate_chat_per_minute} chat messages a minute per address (relaxed for local "
        f"work where RATE_* is not set; deploys keep {deployed.rate_leads_per_hour}, "
        f"{deployed.rate_sessions_per_hour} and {deployed.rate_chat_per_minute})"
    )


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import connect_params, resolve_database
    from dovvy.db import migrate

    params = connect_params(resolve_database(settings))
    timeout = settings.db_timeout_seconds
    if args.downgrade:
        migrate.downgrade(params, args.downgrade, timeout=timeout)
    else:
        migrate.upgrade(params, timeout=timeout)
    print(f"schema at revision {migrate.current(params, timeout=timeout) or 'base'}")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import prepare, resolve_database

    prepare(resolve_database(settings))
    print(f"loaded {settings.seed_file}")
    return 0


def cmd_db_url(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.bootstrap import connect_params, resolve_database

    # The embedded server is left running so the printed URL stays usable (psql, other tools).
    resolved = resolve_database(settings, stop_on_exit=False)
    assert resolved.database_url is not None
    connect_params(resolved)  # a configured URL that cannot be used is an error, not an echo
    print(resolved.database_url.reveal())
    return 0


def cmd_db_stop(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.db.embedded import EmbeddedPostgres

    if settings.database_url is not None:
        print("DATABASE_URL is set: that database is not ours to stop")
        return 1
    said = EmbeddedPostgres(settings.data_dir, stop_on_exit=False).shut_down()
    print(said)
    return 1 if said.startswith("left running") else 0


def cmd_leads_retry(args: argparse.Namespace, settings: Settings) -> int:
    return _run_job("retry-leads", settings)


def cmd_sessions_purge(args: argparse.Namespace, settings: Settings) -> int:
    return _run_job("purge-sessions", settings)


def _run_job(name: str, settings: Settings) -> int:
    from dovvy.bootstrap import resolve_database
    from dovvy.jobs import JobHandlers
    from dovvy.runtime import Runtime

    runtime = Runtime(resolve_database(settings))
    try:
        result = JobHandlers(runtime).run({"job": name})
    finally:
        runtime.close()
    if name == "purge-sessions":
        removed, counters = result["sessions"], result["rate_counters"]
        print(
            f"expired sessions removed: {removed}; expired rate counters removed: {counters}; "
            f"old Telegram update ids removed: {result['telegram_updates']}"
        )
        return 0
    if not result["notifiers"]:
        print("no lead notification is configured (LEAD_WEBHOOK_URL, LEAD_EMAIL_TO)")
        return 0
    print(f"leads notified: {result['sent']} sent, {result['failed']} failed")
    return 1 if result["failed"] else 0


def add_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="start the database if needed, migrate, seed and serve")
    serve.add_argument("--host", help="interface to bind (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=_port_argument, help="port to bind (default PORT or 8080)")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply migrations (or --downgrade REV)")
    migrate.add_argument("--downgrade", metavar="REV", help="downgrade to REV (e.g. base, 0001)")
    migrate.set_defaults(func=cmd_migrate)

    sub.add_parser("seed", help="migrate and load destinations and dive sites").set_defaults(func=cmd_seed)
    sub.add_parser("db-url", help="print the URL of the database in use").set_defaults(func=cmd_db_url)
    db = sub.add_parser("db", help="the embedded database").add_subparsers(dest="db_command", required=True)
    db.add_parser("url", help="print the URL of the database in use (as db-url)").set_defaults(
        func=cmd_db_url
    )
    db.add_parser(
        "stop", help="stop the embedded database (left running by db-url), unless make run uses it"
    ).set_defaults(func=cmd_db_stop)

    leads = sub.add_parser("leads", help="lead notification tools").add_subparsers(
        dest="leads_command", required=True
    )
    leads.add_parser("retry", help="resend notifications that failed").set_defaults(func=cmd_leads_retry)

    sessions = sub.add_parser("sessions", help="session tools").add_subparsers(
        dest="sessions_command", required=True
    )
    sessions.add_parser("purge", help="delete expired sessions and rate counters").set_defaults(
        func=cmd_sessions_purge
    )


def _port_argument(raw: str) -> int:
    try:
        return port_number(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port (1-65535)") from None
