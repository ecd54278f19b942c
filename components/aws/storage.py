"""The media bucket on S3: never public, encrypted, TLS-only, versioned where the profile says.

The service reaches it through its task role (components/aws/iam.py), so StorageOutputs carries no
keys and the app's boto3 falls back to the container's credentials (D5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.logbucket import LogDestination
from components.base import Component
from components.contract import ChildTransform, StorageOutputs, StorageSpec
from components.s3 import block_public_access, encrypt_with_s3_keys, tls_only_policy


@dataclass(frozen=True)
class StorageArgs:
    """The spec plus the region the bucket lives in (the app's AWS_S3_REGION_NAME)."""

    spec: StorageSpec
    region: str
    force_destroy: bool = False
    """Outside production `pulumi destroy` empties the bucket first (S3 refuses to delete a
    non-empty one); a production bucket keeps its objects and stops the destroy instead."""
    access_logs: LogDestination | None = None
    """Server access logs go there (the audit log bucket), under `<prefix>media/`."""
    tags: Mapping[str, str] = field(default_factory=dict)


class S3Bucket(Component):
    """`outputs` (the contract's StorageOutputs) and `arn` (for the task role's policy)."""

    def __init__(
        self,
        name: str,
        args: StorageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:Storage", name, transform, opts)
        spec, tags = args.spec, dict(args.tags)
        bucket = self.child(
            aws.s3.Bucket,
            f"{name}-bucket",
            bucket=spec.bucket,
            force_destroy=args.force_destroy,
            tags=tags,
        )
        self.arn: pulumi.Output[str] = bucket.arn
        block = block_public_access(self, f"{name}-public-access", bucket.id)
        self.child(
            aws.s3.BucketOwnershipControls,
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        )
        encrypt_with_s3_keys(self, f"{name}-encryption", bucket.id, bucket_key=True)
        self.child(
            aws.s3.BucketPolicy,
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=bucket.arn.apply(tls_only_policy),
            opts=pulumi.ResourceOptions(depends_on=[block]),
        )
        rules = [
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="abort-incomplete-uploads",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7
                ),
            )
        ]
        lifecycle_deps: list[pulumi.Resource] = []
        if spec.versioning:
            lifecycle_deps.append(
                self.child(
                    aws.s3.BucketVersioning,
                    f"{name}-versioning",
                    bucket=bucket.id,
                    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                        status="Enabled"
                    ),
                )
            )
            rules.append(
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-noncurrent-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=spec.noncurrent_version_days
                    ),
                )
            )
        self.child(
            aws.s3.BucketLifecycleConfiguration,
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=rules,
            opts=pulumi.ResourceOptions(depends_on=lifecycle_deps),
        )
        if spec.cors_origins:
            self.child(
                aws.s3.BucketCorsConfiguration,
                f"{name}-cors",
                bucket=bucket.id,
                cors_rules=[
                    aws.s3.BucketCorsConfigurationCorsRuleArgs(
                        allowed_methods=["GET", "PUT", "POST", "HEAD"],
                        allowed_origins=list(spec.cors_origins),
                        allowed_headers=["*"],
                        max_age_seconds=3600,
                    )
                ],
            )
        logs = args.access_logs
        if logs is not None:
            self.child(
                aws.s3.BucketLogging,
                f"{name}-access-logs",
                bucket=bucket.id,
                target_bucket=logs.bucket,
                target_prefix=f"{logs.prefix}media/",
                opts=pulumi.ResourceOptions(depends_on=[logs.ready]),
            )
        self.outputs = StorageOutputs(
            bucket=bucket.bucket,
            region=pulumi.Output.from_input(args.region),
            url=pulumi.Output.concat("s3://", bucket.bucket),
        )
        self.done({"bucket": bucket.bucket, "arn": bucket.arn, "region": args.region})
