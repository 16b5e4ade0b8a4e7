"""`dovvy deploy preflight aws|gcp`: the account's or project's readiness for a first apply."""

from __future__ import annotations

import argparse
import os
from typing import Any

from dovvy.config import Settings


def cmd_preflight_aws(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.cli.preflight import report
    from dovvy.cli.preflight_aws import aws_findings

    findings = aws_findings(
        args.region,
        reserved_concurrency=args.reserved_concurrency,
        instance_class=args.db_instance_class,
        lead_email_from=args.lead_email_from,
    )
    print(report(findings))
    return 1 if any(f.status == "fail" for f in findings) else 0


def cmd_preflight_gcp(args: argparse.Namespace, settings: Settings) -> int:
    from dovvy.cli.preflight import report
    from dovvy.cli.preflight_gcp import gcp_findings
    from dovvy.google_rest import GcpApi, gcloud_token

    api = GcpApi(gcloud_token(), base=args.api_base)
    findings = gcp_findings(api, args.project, args.region, tier=args.db_tier, network=args.network)
    print(report(findings))
    return 1 if any(f.status == "fail" for f in findings) else 0


def add_commands(sub: Any) -> None:
    deploy = sub.add_parser("deploy", help="deployment tools").add_subparsers(
        dest="deploy_command", required=True
    )
    preflight = deploy.add_parser(
        "preflight", help="check an account or project before the first apply (read-only)"
    ).add_subparsers(dest="cloud", required=True)

    aws = preflight.add_parser("aws", help="with the AWS credentials in your environment")
    aws.add_argument("--region", default=os.environ.get("AWS_REGION", "eu-west-1"))
    aws.add_argument("--reserved-concurrency", type=int, default=0, help="as the module's variable")
    aws.add_argument("--db-instance-class", default="db.t4g.small")
    aws.add_argument("--lead-email-from", help="the SES sender, when leads are e-mailed")
    aws.set_defaults(func=cmd_preflight_aws)

    gcp = preflight.add_parser("gcp", help="with gcloud's token (or GOOGLE_OAUTH_ACCESS_TOKEN)")
    gcp.add_argument("--project", required=True)
    gcp.add_argument("--region", default="europe-west1")
    gcp.add_argument("--db-tier", default="db-custom-1-3840")
    gcp.add_argument("--network", default="default")
    gcp.add_argument("--api-base", help=argparse.SUPPRESS)  # a fake of Google's APIs, for tests
    gcp.set_defaults(func=cmd_preflight_gcp)
