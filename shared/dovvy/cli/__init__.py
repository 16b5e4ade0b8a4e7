"""The `dovvy` command: run the local gateway and look after the database and its data.

Every failure is one line on stderr saying what to do; exit status 2 for usage and configuration
errors, 1 for failures, never a traceback unless `--debug`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from dovvy.cli import database, deploy, knowledge, measuring, release, telegram
from dovvy.cli.failures import explain
from dovvy.config import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dovvy", description="DovvyBuddy backend tools")
    parser.add_argument("--debug", action="store_true", help="show the traceback when a command fails")
    sub = parser.add_subparsers(dest="command", required=True)
    database.add_commands(sub)
    deploy.add_commands(sub)
    knowledge.add_commands(sub)
    measuring.add_commands(sub)
    release.add_commands(sub)
    telegram.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        from dovvy import logs, needs

        # One process plays every function here; an unset DATABASE_URL is the embedded server.
        needs.check(settings, *needs.NEEDS, deployed=False)

        # Before any library can install its own handler; commands print their results on stdout.
        logs.configure(settings.log_level if args.func is database.cmd_serve else "WARNING")
        func: Command = args.func
        return func(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped early (`dovvy search ... | head -1`): not a failure worth a sentence, and
        # never "cannot reach the database" (BrokenPipeError is a ConnectionError). Later writes,
        # including the interpreter's last flush, go nowhere; 141 is what a shell shows for SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # the one place every command's failure becomes a sentence
        message, status = explain(exc)
        print(f"dovvy: {message}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return status
