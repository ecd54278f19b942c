"""The media bucket on Cloud Storage: uniform bucket-level access, public access prevention
enforced, versioning and noncurrent-version expiry per profile.

No keys: the service reaches the bucket as its runtime service account, bound to this bucket only
(components/gcp/iam.py), so the storage outputs carry no credentials (D5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.base import Component
from components.contract import ChildTransform, StorageOutputs, StorageSpec
from components.gcp.common import labels

BACKEND = "gcs"
"""The app's STORAGE_BACKEND for Cloud Storage (django-storages' Google backend)."""


@dataclass(frozen=True)
class StorageArgs:
    """`location` is the bucket's region; `protected` keeps a non-empty bucket on destroy."""

    spec: StorageSpec
    location: str
    protected: bool
    tags: Mapping[str, str] = field(default_factory=dict)


class GcsBucket(Component):
    """`bucket` (the resource: iam.py binds the service account to it) and `outputs`."""

    def __init__(
        self,
        name: str,
        args: StorageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:Storage", name, transform, opts)
        spec = args.spec
        rules: list[dict] = [
            {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}}
        ]
        if spec.versioning:
            rules.append(
                {
                    "action": {"type": "Delete"},
                    "condition": {
                        "days_since_noncurrent_time": spec.noncurrent_version_days,
                        "with_state": "ARCHIVED",
                    },
                }
            )
        cors = (
            [
                {
                    "origins": list(spec.cors_origins),
                    "methods": ["GET", "HEAD", "PUT"],
                    "response_headers": ["Content-Type"],
                    "max_age_seconds": 3600,
                }
            ]
            if spec.cors_origins
            else None
        )
        self.bucket = self.child(
            gcp.storage.Bucket,
            f"{name}-bucket",
            name=spec.bucket,
            location=args.location.upper(),
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": spec.versioning},
            lifecycle_rules=rules,
            cors=cors,
            # A development bucket goes with `pulumi destroy` (O5); a protected one never does.
            force_destroy=not args.protected,
            labels=labels(args.tags),
            opts=pulumi.ResourceOptions(protect=args.protected),
        )
        self.outputs = StorageOutputs(
            bucket=self.bucket.name,
            region=pulumi.Output.from_input(args.location),
            url=pulumi.Output.concat("gs://", self.bucket.name),
            backend=BACKEND,
        )
        self.done({"bucket": self.bucket.name, "url": self.bucket.url})
