"""Staged releases: a new version takes a share of the traffic, is watched against the alert
thresholds, and is promoted or rolled back without a person (docs/operations.md).

AWS does the staging itself (CodeDeploy shifts a Lambda alias and rolls back on the release's
alarms); `codedeploy` only starts a deployment when an apply publishes a new version. On Google
Cloud the functions' Cloud Run services keep their traffic where it was when a revision is deployed,
and `cloud_run` moves it: the canary share, then all of it or none, by `decision.decide`.
"""
