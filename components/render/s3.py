"""AWS S3 (`storage.provider: s3`): a private bucket and an IAM user whose keys allow only it.

Render has no workload identity that AWS trusts, so the service gets static keys (secrets) of a
user whose one inline policy allows object read/write/delete in this bucket and listing it (D5).
The bucket blocks every form of public access, is encrypted with S3-managed keys (D2), refuses
plain HTTP (D3), and is versioned, with old versions expiring, where the profile asks (D4).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.base import Component
from components.contract import ChildTransform, StorageOutputs, StorageSpec
from components.s3 import block_public_access, encrypt_with_s3_keys, tls_only_policy


@dataclass(frozen=True)
class S3Args:
    """The spec plus the bucket's region (`aws:region`) and the stack's tags."""

    spec: StorageSpec
    region: str
    tags: Mapping[str, str] = field(default_factory=dict)


def user_policy(arn: str) -> str:
    """The app's keys: objects of this bucket, and listing it; nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Objects",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": f"{arn}/*",
                },
                {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": arn},
            ],
        }
    )


class S3Storage(Component):
    """`outputs`: the contract's StorageOutputs with the user's keys (secrets)."""

    def __init__(
        self,
        name: str,
        args: S3Args,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:S3Storage", name, transform, opts)
        spec, tags = args.spec, dict(args.tags)
        bucket = self.child(aws.s3.Bucket, f"{name}-bucket", bucket=spec.bucket, tags=tags)
        block_public_access(self, f"{name}-public-access", bucket.id)
        encrypt_with_s3_keys(self, f"{name}-encryption", bucket.id)
        self.child(
            aws.s3.BucketPolicy,
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=bucket.arn.apply(tls_only_policy),
        )
        if spec.versioning:
            versioning = self.child(
                aws.s3.BucketVersioning,
                f"{name}-versioning",
                bucket=bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                    status="Enabled"
                ),
            )
            self.child(
                aws.s3.BucketLifecycleConfiguration,
                f"{name}-lifecycle",
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketLifecycleConfigurationRuleArgs(
                        id="expire-noncurrent",
                        status="Enabled",
                        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                            noncurrent_days=spec.noncurrent_version_days
                        ),
                    )
                ],
                opts=pulumi.ResourceOptions(depends_on=[versioning]),
            )
        user = self.child(aws.iam.User, f"{name}-user", name=f"{spec.bucket}-app", tags=tags)
        self.child(
            aws.iam.UserPolicy,
            f"{name}-user-policy",
            user=user.name,
            policy=bucket.arn.apply(user_policy),
        )
        key = self.child(aws.iam.AccessKey, f"{name}-key", user=user.name)
        self.outputs = StorageOutputs(
            bucket=bucket.bucket,
            region=pulumi.Output.from_input(args.region),
            url=pulumi.Output.concat("s3://", bucket.bucket),
            access_key_id=pulumi.Output.secret(key.id),
            secret_access_key=pulumi.Output.secret(key.secret),
        )
        self.done({"bucket": bucket.bucket})
