"""The audit log bucket: the load balancer's access logs and the media bucket's server access logs.

Its own bucket, so the media bucket's policy, lifecycle and versioning stay about media, and a
log reader needs no access to user files. SSE-S3 (AES256): ALB access logs support only
Amazon S3-managed keys (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
enable-access-logging.html#access-log-create-bucket). Objects expire after the profile's log
retention.

Who may write (the bucket policy):
- ELB log delivery under `alb/AWSLogs/<account>/`. Regions opened before August 2022 deliver from
  a per-region ELB account (granted by its root ARN); later regions from the service principal
  `logdelivery.elasticloadbalancing.amazonaws.com` (same page, "Attach a policy to your S3
  bucket"). `ELB_ACCOUNTS` lists the older regions.
- S3 server access logging (`logging.s3.amazonaws.com`) under `s3/`, only from this account's
  buckets (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
  enable-server-access-logging.html#grant-log-delivery-permissions-general). The condition names
  the account, not the media bucket: the balancer needs this policy before the program has
  declared the media bucket.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform
from components.s3 import block_public_access, deny_insecure_transport, encrypt_with_s3_keys

aws = pulumi_aws(
    s3=("bucket", "bucket_lifecycle_configuration", "bucket_ownership_controls", "bucket_policy")
)

ALB_PREFIX = "alb"
S3_PREFIX = "s3/"
PURPOSE_TAG = {"purpose": "audit-logs"}
"""Marks the bucket as logs, not the service's storage (components/aws/plan_view.py)."""

ELB_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
}
"""Elastic Load Balancing's log-delivery account per region opened before August 2022 (AWS's
ALB access-log documentation); other regions use the log delivery service principal."""

ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
S3_LOG_DELIVERY = "logging.s3.amazonaws.com"


@dataclass(frozen=True)
class LogDestination:
    """Where a service writes its logs in the bucket; `ready` is the bucket policy that lets it
    (ELB checks write access when logging is switched on, so writers wait for the policy)."""

    bucket: pulumi.Input[str]
    prefix: str
    ready: pulumi.Resource


@dataclass(frozen=True)
class LogBucketArgs:
    """The bucket's name, region and how long logs are kept."""

    bucket: str
    region: str
    retention_days: int
    force_destroy: bool
    tags: Mapping[str, str] = field(default_factory=dict)


def elb_principal(region: str) -> dict[str, str]:
    """Who delivers ALB access logs in `region`."""
    account = ELB_ACCOUNTS.get(region)
    if account is not None:
        return {"AWS": f"arn:aws:iam::{account}:root"}
    return {"Service": ELB_LOG_DELIVERY}


def log_bucket_policy(bucket_arn: str, account: str, region: str) -> str:
    """TLS only; ELB may put ALB logs, S3 may put the media bucket's access logs."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                deny_insecure_transport(bucket_arn),
                {
                    "Sid": "AlbAccessLogs",
                    "Effect": "Allow",
                    "Principal": elb_principal(region),
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket_arn}/{ALB_PREFIX}/AWSLogs/{account}/*",
                },
                {
                    "Sid": "S3ServerAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": S3_LOG_DELIVERY},
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket_arn}/{S3_PREFIX}*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                },
            ],
        }
    )


class LogBucket(Component):
    """`alb` and `s3` (the log destinations of the balancer and of bucket access logging)."""

    def __init__(
        self,
        name: str,
        args: LogBucketArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:LogBucket", name, transform, opts)
        tags = {**args.tags, **PURPOSE_TAG}
        bucket = self.child(
            aws.s3.Bucket,
            f"{name}-bucket",
            bucket=args.bucket,
            force_destroy=args.force_destroy,
            tags=tags,
        )
        block = block_public_access(self, f"{name}-public-access", bucket.id)
        self.child(
            aws.s3.BucketOwnershipControls,
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        )
        encrypt_with_s3_keys(self, f"{name}-sse", bucket.id)
        self.child(
            aws.s3.BucketLifecycleConfiguration,
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=args.retention_days
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=1
                    ),
                )
            ],
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.policy = self.child(
            aws.s3.BucketPolicy,
            f"{name}-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, identity.account_id).apply(
                lambda v: log_bucket_policy(v[0], v[1], args.region)
            ),
            opts=pulumi.ResourceOptions(depends_on=[block]),
        )
        self.alb = LogDestination(bucket=bucket.bucket, prefix=ALB_PREFIX, ready=self.policy)
        self.s3 = LogDestination(bucket=bucket.bucket, prefix=S3_PREFIX, ready=self.policy)
        self.done({"bucket": bucket.bucket, "arn": bucket.arn})
