"""AWS: start the staged shift of a function's `live` alias to the version an apply just published.

CodeDeploy moves the alias (the canary share, then all of it) and, when one of the deployment
group's alarms goes off, moves it back; this only asks it to start. Run by Terraform after it
publishes a version (`infra/terraform/aws/release.tf`), and by hand (`dovvy release aws`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    application: str
    group: str
    function: str  # the Lambda function's name
    alias: str
    version: str  # the version to release


def appspec(target: Target, current: str) -> str:
    """The AppSpec CodeDeploy reads for a Lambda deployment: which alias, from which version to which."""
    spec = {
        "version": 0.0,
        "Resources": [
            {
                target.function: {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": target.function,
                        "Alias": target.alias,
                        "CurrentVersion": current,
                        "TargetVersion": target.version,
                    },
                }
            }
        ],
    }
    return json.dumps(spec, sort_keys=True)


def start(lambda_client: Any, codedeploy_client: Any, target: Target) -> str | None:
    """The deployment started, or None when the alias already serves the version."""
    current = lambda_client.get_alias(FunctionName=target.function, Name=target.alias)["FunctionVersion"]
    if current == target.version:
        return None
    started = codedeploy_client.create_deployment(
        applicationName=target.application,
        deploymentGroupName=target.group,
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": appspec(target, current)}},
        description=f"{target.function}: version {current} -> {target.version}",
    )
    return str(started["deploymentId"])
