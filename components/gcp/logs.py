"""A log bucket that keeps this service's Cloud Run logs for the profile's retention (O1).

Cloud Run sends each process's stdout to Cloud Logging and parses a one-line JSON object into the
entry's `jsonPayload`, taking `severity` and `message` from it
(https://cloud.google.com/run/docs/logging#using-json): the app's JSON lines land as structured
entries with nothing in between. The project's `_Default` bucket still keeps its own copy for its
own retention (30 days unless changed).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.base import Component
from components.contract import ChildTransform
from components.gcp.common import LOG_RETENTION_MAX, resource_id
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(logging=("project_bucket_config", "project_sink"))


@dataclass(frozen=True)
class LogsArgs:
    """`prefix` starts every Cloud Run name of this service."""

    project: str
    prefix: str
    retention_days: int


def log_filter(prefix: str) -> str:
    """The Cloud Run entries of this service's processes (web, release, worker, beat)."""
    names = " OR ".join(
        f'resource.labels.{label}:"{prefix}"'
        for label in ("service_name", "job_name", "worker_pool_name")
    )
    return f'resource.type:"cloud_run" AND ({names})'


class ServiceLogs(Component):
    """The bucket and the sink that routes the service's entries into it."""

    def __init__(
        self,
        name: str,
        args: LogsArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:Logs", name, transform, opts)
        bucket_id = resource_id(f"{args.prefix}-logs", 100)
        bucket = self.child(
            gcp.logging.ProjectBucketConfig,
            f"{name}-bucket",
            project=args.project,
            location="global",
            bucket_id=bucket_id,
            retention_days=min(max(args.retention_days, 1), LOG_RETENTION_MAX),
            description="trudeploy service logs",
        )
        self.child(
            gcp.logging.ProjectSink,
            f"{name}-sink",
            name=resource_id(f"{args.prefix}-logs", 100),
            destination=pulumi.Output.concat("logging.googleapis.com/", bucket.id),
            filter=log_filter(args.prefix),
            unique_writer_identity=True,
        )
        self.done({"bucket": bucket.id})
