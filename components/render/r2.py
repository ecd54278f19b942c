"""Cloudflare R2 (`storage.provider: r2`): a private bucket and an API token scoped to it.

R2 speaks the S3 API, so the app reaches it through the S3 settings it already has: the endpoint
`https://<account>.r2.cloudflarestorage.com`, region `auto`, and S3 credentials derived from an
account API token whose only policy is object read/write on this one bucket (D5): the access key id
is the token's id and the secret key is the SHA-256 of its value
(https://developers.cloudflare.com/r2/api/tokens/). R2 buckets are private unless a public domain
is attached, and R2 encrypts every object at rest (D2). R2 has no object versioning: the profile's
`storage_versioning` cannot be honoured here (docs/render.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pulumi
import pulumi_cloudflare as cloudflare

from components.base import Component
from components.contract import ChildTransform, StorageOutputs, StorageSpec

OBJECT_WRITE_GROUP = "2efd5506f9c8494dacb1fa10a3e7d5b6"
"""Cloudflare's permission group "Workers R2 Storage Bucket Item Write" (read, write and list the
objects of the buckets the policy names): https://developers.cloudflare.com/r2/api/tokens/#permissions
and https://developers.cloudflare.com/fundamentals/api/reference/permissions/."""
REGION = "auto"
"""R2's S3 region: any SDK region string is accepted, `auto` is the documented one."""


@dataclass(frozen=True)
class R2Args:
    """The spec plus the Cloudflare account and the location hint nearest the services."""

    spec: StorageSpec
    account_id: str
    location: str


def bucket_resource(account_id: str, bucket: str) -> str:
    """The token policy's resource naming one bucket in the default jurisdiction."""
    return json.dumps({f"com.cloudflare.edge.r2.bucket.{account_id}_default_{bucket}": "*"})


def s3_secret_key(token_value: str) -> str:
    """R2's S3 secret access key for an API token: the SHA-256 hex digest of its value."""
    return hashlib.sha256(token_value.encode()).hexdigest()


class R2Bucket(Component):
    """`outputs`: the contract's StorageOutputs with the bucket-scoped keys (secrets)."""

    def __init__(
        self,
        name: str,
        args: R2Args,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:R2Storage", name, transform, opts)
        spec = args.spec
        bucket = self.child(
            cloudflare.R2Bucket,
            f"{name}-bucket",
            account_id=args.account_id,
            name=spec.bucket,
            location=args.location,
            storage_class="Standard",
        )
        token = self.child(
            cloudflare.AccountToken,
            f"{name}-token",
            account_id=args.account_id,
            name=f"{spec.bucket}-app",
            policies=[
                cloudflare.AccountTokenPolicyArgs(
                    effect="allow",
                    permission_groups=[
                        cloudflare.AccountTokenPolicyPermissionGroupArgs(id=OBJECT_WRITE_GROUP)
                    ],
                    resources=bucket.name.apply(lambda b: bucket_resource(args.account_id, b)),
                )
            ],
        )
        self.outputs = StorageOutputs(
            bucket=bucket.name,
            region=pulumi.Output.from_input(REGION),
            url=pulumi.Output.concat("s3://", bucket.name),
            endpoint_url=pulumi.Output.from_input(
                f"https://{args.account_id}.r2.cloudflarestorage.com"
            ),
            access_key_id=pulumi.Output.secret(token.id),
            secret_access_key=pulumi.Output.secret(token.value.apply(s3_secret_key)),
        )
        self.done({"bucket": bucket.name})
