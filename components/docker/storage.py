"""S3-compatible storage in a container: MinIO, its bucket, and an app user scoped to that bucket.

A one-shot `minio/mc` container (attached, so `pulumi up` waits for it) creates the bucket, keeps it
private, enables versioning when the profile asks for it, and creates the app's own access key
with a policy that allows only that bucket (D5: docker has no workload identity, so the app gets
keys, but not the root ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker
import pulumi_random as random

from components.base import Component
from components.contract import ChildTransform, StorageOutputs, StorageSpec
from components.docker.common import (
    ROLE_LABEL,
    health,
    labels,
    require_exit_zero,
    stateful_container,
    volume_labels,
)
from components.minio import init_script

MINIO_IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z"
MC_IMAGE = "minio/mc:RELEASE.2025-04-16T18-13-26Z"
"""Pinned to the releases app/docker-compose.yml runs."""
REGION = "us-east-1"


@dataclass(frozen=True)
class StorageArgs:
    """The spec, the backend network and the stack's tags."""

    spec: StorageSpec
    network: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class MinioStorage(Component):
    """MinIO on the backend network only, data on a named volume; the bucket and the app's
    scoped credentials created by a one-shot `mc` container."""

    def __init__(
        self,
        name: str,
        args: StorageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:docker:Storage", name, transform, opts)
        spec = args.spec
        root_password = self.child(
            random.RandomPassword, f"{name}-root-password", length=40, special=False
        )
        app_key = self.child(
            random.RandomPassword, f"{name}-app-access-key", length=20, special=False, upper=True
        )
        app_secret = self.child(
            random.RandomPassword, f"{name}-app-secret-key", length=40, special=False
        )
        volume = self.child(
            docker.Volume,
            f"{name}-data",
            name=f"{spec.name}-data",
            labels=volume_labels(args.tags),
        )
        minio_image = self.child(
            docker.RemoteImage, f"{name}-minio-image", name=MINIO_IMAGE, keep_locally=True
        )
        mc_image = self.child(
            docker.RemoteImage, f"{name}-mc-image", name=MC_IMAGE, keep_locally=True
        )
        root_env = [
            "MINIO_ROOT_USER=trudeploy-root",
            pulumi.Output.concat(
                "MINIO_ROOT_PASSWORD=", pulumi.Output.secret(root_password.result)
            ),
        ]
        self.server = self.child(
            docker.Container,
            f"{name}-minio",
            name=spec.name,
            hostname="minio",
            image=minio_image.image_id,
            command=["server", "/data"],
            envs=root_env,
            **stateful_container(
                tags=args.tags,
                capability="storage",
                network=args.network,
                alias="minio",
                volume_name=volume.name,
                data_path="/data",
                healthcheck=health("mc ready local"),
                wait_timeout=120,
            ),
        )
        init_env = [
            *root_env,
            pulumi.Output.concat("APP_ACCESS_KEY=", pulumi.Output.secret(app_key.result)),
            pulumi.Output.concat("APP_SECRET_KEY=", pulumi.Output.secret(app_secret.result)),
        ]
        self.init = self.child(
            docker.Container,
            f"{name}-bucket-init",
            name=f"{spec.name}-init",
            image=mc_image.image_id,
            entrypoints=["sh", "-c"],
            command=[init_script("http://minio:9000", spec.bucket, spec.versioning)],
            envs=init_env,
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network)],
            attach=True,
            logs=True,
            must_run=False,
            restart="no",
            labels=labels(args.tags, **{ROLE_LABEL: "job", "trudeploy.capability": "storage"}),
            opts=pulumi.ResourceOptions(depends_on=[self.server]),
        )
        # Deriving the outputs from the init container's checked exit code makes the app depend
        # on the bucket and its user being created, not only on MinIO being up, and fails the
        # deployment if `mc` failed.
        ready = require_exit_zero(self.init, "storage init (bucket, app user)")
        self.outputs = StorageOutputs(
            bucket=ready.apply(lambda _: spec.bucket),
            region=pulumi.Output.from_input(REGION),
            url=ready.apply(lambda _: f"s3://{spec.bucket}"),
            endpoint_url=pulumi.Output.format("http://{0}:9000", self.server.hostname),
            access_key_id=pulumi.Output.secret(
                pulumi.Output.all(ready, app_key.result).apply(lambda v: v[1])
            ),
            secret_access_key=pulumi.Output.secret(app_secret.result),
        )
        self.done({"bucket": self.outputs.bucket, "endpoint_url": self.outputs.endpoint_url})
