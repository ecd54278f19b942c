"""The runtime identity: one service account for every process, never the default compute one,
allowed only what the service uses (least privilege):

- its bucket's objects (`roles/storage.objectUser` on that bucket, not the project);
- signing its own download URLs without a key (`roles/iam.serviceAccountTokenCreator` on itself:
  the app's Cloud Storage backend signs through the IAM signBlob API);
- each of its own secrets (`roles/secretmanager.secretAccessor` per secret, in secrets.py);
- Cloud SQL client (`roles/cloudsql.client`, the role Google documents for a Cloud Run service
  that connects to Cloud SQL: https://cloud.google.com/sql/docs/postgres/connect-run).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.base import Component
from components.contract import ChildTransform
from components.gcp.common import resource_id
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(
    projects=("iam_member",),
    serviceaccount=("account", "iam_member"),
    storage=("bucket_iam_member",),
)


@dataclass(frozen=True)
class RuntimeIdentityArgs:
    """`account_id` is 6..30 characters; `bucket` the media bucket's name."""

    account_id: str
    project: str
    bucket: pulumi.Input[str]


class RuntimeIdentity(Component):
    """`email` and `member` (`serviceAccount:<email>`) of the runtime service account."""

    def __init__(
        self,
        name: str,
        args: RuntimeIdentityArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:RuntimeIdentity", name, transform, opts)
        account = self.child(
            gcp.serviceaccount.Account,
            f"{name}-account",
            account_id=resource_id(args.account_id, 30),
            display_name="trudeploy service runtime",
            description="Runs web, worker, beat and release; no other identity does.",
        )
        self.email: pulumi.Output[str] = account.email
        self.member: pulumi.Output[str] = account.member
        self.grants = [
            self.child(
                gcp.storage.BucketIAMMember,
                f"{name}-bucket",
                bucket=args.bucket,
                role="roles/storage.objectUser",
                member=account.member,
            ),
            self.child(
                gcp.serviceaccount.IAMMember,
                f"{name}-sign",
                service_account_id=account.name,
                role="roles/iam.serviceAccountTokenCreator",
                member=account.member,
            ),
            self.child(
                gcp.projects.IAMMember,
                f"{name}-sql",
                project=args.project,
                role="roles/cloudsql.client",
                member=account.member,
            ),
        ]
        self.done({"email": account.email})
