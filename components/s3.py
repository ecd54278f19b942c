"""S3 bucket hardening shared by every target that makes an AWS S3 bucket (the aws target's media
and log buckets, the render target's `storage.provider: s3`), so the rules D2/D3/D5 ask of a
bucket are written once: public access blocked, SSE-S3 at rest, TLS-only access.

A target package does not import another target's, so this lives beside components/base.py; it
imports pulumi_aws and is only imported by the targets that already do."""

from __future__ import annotations

import json
from typing import Any

import pulumi

from components.aws_sdk import pulumi_aws
from components.base import Component

aws = pulumi_aws(s3=("bucket_public_access_block", "bucket_server_side_encryption_configuration"))


def deny_insecure_transport(arn: str) -> dict[str, Any]:
    """The policy statement that refuses any request to the bucket or its objects without TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def tls_only_policy(arn: str) -> str:
    """A bucket policy holding only that statement."""
    return json.dumps({"Version": "2012-10-17", "Statement": [deny_insecure_transport(arn)]})


def block_public_access(owner: Component, name: str, bucket: pulumi.Input[str]) -> pulumi.Resource:
    """All four public-access switches on (D5); returned so a bucket policy can wait for it."""
    return owner.child(
        aws.s3.BucketPublicAccessBlock,
        name,
        bucket=bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )


def encrypt_with_s3_keys(
    owner: Component, name: str, bucket: pulumi.Input[str], *, bucket_key: bool = False
) -> pulumi.Resource:
    """SSE-S3 (AES256) by default for every object (D2); `bucket_key` cuts per-object key calls
    where the bucket sees many writes."""
    rule: dict[str, Any] = {}
    if bucket_key:
        rule["bucket_key_enabled"] = True
    return owner.child(
        aws.s3.BucketServerSideEncryptionConfiguration,
        name,
        bucket=bucket,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                ),
                **rule,
            )
        ],
    )
