"""`dovvy release aws|gcp`: staged releases (docs/operations.md)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from dovvy.cli.failures import UsageError
from dovvy.config import Settings


def cmd_aws_start(args: argparse.Namespace, settings: Settings) -> int:
    import boto3

    from dovvy.release.codedeploy import Target, start

    target = Target(args.application, args.group, args.function, args.alias, args.version)
    started = start(
        boto3.client("lambda", region_name=args.region),
        boto3.client("codedeploy", region_name=args.region),
        target,
    )
    if started is None:
        print(f"{args.function}: {args.alias} already serves version {args.version}")
    else:
        print(f"{args.function}: deployment {started} shifts {args.alias} to version {args.version}")
    return 0


def _cloud_run(args: argparse.Namespace) -> Any:
    from dovvy.google_rest import GcpApi, gcloud_token
    from dovvy.release import policy
    from dovvy.release.cloud_run import CloudRun

    return CloudRun(GcpApi(gcloud_token(), base=args.api_base), args.project, args.region, policy.load())


def cmd_gcp(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.release.cloud_run import NothingToRelease, Unpinned

    cloud_run = _cloud_run(args)
    service = f"{args.name}-{args.function}"
    if args.step == "start":
        try:
            verdict, why = cloud_run.release(args.function, service, poll_seconds=args.poll_seconds)
        except NothingToRelease:
            print(f"{service}: its newest revision already serves all traffic")
            return 0
        except Unpinned:
            raise UsageError(
                f"{service}: its traffic follows the latest revision, so the deploy already moved all of it; "
                f"pin it with `dovvy release gcp promote --function {args.function}` (docs/operations.md)"
            ) from None
        print(f"{service}: {why}")
        return 0 if verdict.value == "promote" else 1
    traffic = cloud_run.traffic(service)
    if args.step == "promote":
        cloud_run.split(service, {traffic.latest: 100})
        print(f"{service}: all traffic to {traffic.latest}")
        return 0
    target = args.to or traffic.previous
    if target is None:
        raise UsageError(
            f"name the revision to return to: --to (gcloud run revisions list --service {service})"
        )
    cloud_run.split(service, {target: 100})
    print(f"{service}: all traffic to {target}")
    return 0


def add_commands(sub: Any) -> None:
    release = sub.add_parser("release", help="staged releases").add_subparsers(dest="cloud", required=True)

    aws = release.add_parser("aws", help="start CodeDeploy's staged shift of a function's alias")
    aws.add_argument("step", choices=["start"])
    aws.add_argument("--application", required=True, help="the CodeDeploy application")
    aws.add_argument("--group", required=True, help="the function's deployment group")
    aws.add_argument("--function", required=True, help="the Lambda function's name")
    aws.add_argument("--version", required=True, help="the published version to release")
    aws.add_argument("--alias", default="live")
    aws.add_argument("--region", default=os.environ.get("AWS_REGION", "eu-west-1"))
    aws.set_defaults(func=cmd_aws_start)

    gcp = release.add_parser("gcp", help="canary, watch and promote or roll back a function's revision")
    gcp.add_argument("step", choices=["start", "promote", "rollback"])
    gcp.add_argument("--function", required=True, help="session, lead, chat or telegram")
    gcp.add_argument("--project", required=True)
    gcp.add_argument("--region", default="europe-west1")
    gcp.add_argument("--name", default="dovvy", help="the module's `name` prefix")
    gcp.add_argument("--to", help="rollback: the revision to send all traffic to")
    gcp.add_argument("--poll-seconds", type=float, default=60)
    gcp.add_argument("--api-base", help=argparse.SUPPRESS)  # a fake of Google's APIs, for tests
    gcp.set_defaults(func=cmd_gcp)
