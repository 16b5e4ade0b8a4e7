"""The `dovvy` command: run the local gateway and look after the database and its data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from dovvy.config import Settings
from dovvy.errors import ConfigError

Command = Callable[[argparse.Namespace, Settings], int]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from dovvy import logs
    from dovvy.gateway import create_gateway
    from dovvy.runtime import Runtime
    from dovvy.setup import prepare, resolve_database

    logs.configure(settings.log_level)
    settings = resolve_database(settings)
    prepare(settings)
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    runtime = Runtime(settings)
    print(f"DovvyBuddy gateway on http://{host}:{port}  (docs: http://{host}:{port}/docs)", flush=True)
    try:
        uvicorn.run(create_gateway(runtime), host=host, port=port, log_level="warning")
    finally:
        runtime.close()
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.db import migrate
    from dovvy.setup import connect_params, resolve_database

    params = connect_params(resolve_database(settings))
    if args.downgrade:
        migrate.downgrade(params, args.downgrade)
    else:
        migrate.upgrade(params)
    print(f"schema at revision {migrate.current(params) or 'base'}")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.setup import prepare, resolve_database

    prepare(resolve_database(settings))
    print(f"loaded {settings.seed_file}")
    return 0


def cmd_db_url(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.setup import resolve_database

    # The embedded server is left running so the printed URL stays usable (psql, other tools).
    resolved = resolve_database(settings, stop_on_exit=False)
    assert resolved.database_url is not None
    print(resolved.database_url.reveal())
    return 0


def cmd_leads_retry(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.notify import retry_pending
    from dovvy.runtime import Runtime
    from dovvy.setup import resolve_database

    runtime = Runtime(resolve_database(settings))
    if not runtime.notifiers:
        print("no lead notification is configured (LEAD_WEBHOOK_URL, LEAD_EMAIL_TO)")
        return 0
    sent, failed = retry_pending(runtime.pool, runtime.notifiers, max_attempts=settings.notify_max_attempts)
    runtime.close()
    print(f"leads notified: {sent} sent, {failed} failed")
    return 1 if failed else 0


def cmd_sessions_purge(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.db import sessions
    from dovvy.runtime import Runtime
    from dovvy.setup import resolve_database

    runtime = Runtime(resolve_database(settings))
    removed = runtime.pool.run(sessions.purge_expired)
    runtime.close()
    print(f"expired sessions removed: {removed}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dovvy", description="DovvyBuddy backend tools")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the database if needed, migrate, seed and serve")
    serve.add_argument("--host", help="interface to bind (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default PORT or 8080)")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply migrations (or --downgrade REV)")
    migrate.add_argument("--downgrade", metavar="REV", help="downgrade to REV (e.g. base, 0001)")
    migrate.set_defaults(func=cmd_migrate)

    sub.add_parser("seed", help="migrate and load destinations and dive sites").set_defaults(func=cmd_seed)
    sub.add_parser("db-url", help="print the URL of the database in use").set_defaults(func=cmd_db_url)

    leads = sub.add_parser("leads", help="lead notification tools").add_subparsers(
        dest="leads_command", required=True
    )
    leads.add_parser("retry", help="resend notifications that failed").set_defaults(func=cmd_leads_retry)

    sessions = sub.add_parser("sessions", help="session tools").add_subparsers(
        dest="sessions_command", required=True
    )
    sessions.add_parser("purge", help="delete expired sessions").set_defaults(func=cmd_sessions_purge)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        func: Command = args.func
        return func(args, settings)
    except ConfigError as exc:
        print(f"dovvy: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
