"""Object storage for a cluster, which has none of its own.

- `MinioStorage` (development, or wherever `kubernetes.objectStore` is not set and the profile is
  development): a MinIO StatefulSet with a volume, a private bucket, and a bucket-scoped app user
  created by a one-shot `mc` Job that `pulumi up` waits for (W6). Reachable only from the app's
  pods, the PostgreSQL instances (backups) and the Job (D1).
- `ExternalObjectStore` (staging, production): an S3-compatible store outside the cluster; its
  endpoint and region from `kubernetes.objectStore`, its keys from the stack secrets
  `trudeploy:objectStoreAccessKeyId` / `trudeploy:objectStoreSecretAccessKey`. The bucket must
  exist (docs/kubernetes.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_random as random
from pulumi_kubernetes.apps import v1 as apps
from pulumi_kubernetes.batch import v1 as batch
from pulumi_kubernetes.core import v1 as core

from components.base import Component
from components.contract import ChildTransform, StorageOutputs, StorageSpec
from components.kubernetes.common import (
    APP_ROLE,
    MC_IMAGE,
    MINIO_IMAGE,
    RELEASE_BACKOFF_LIMIT,
    RELEASE_DEADLINE_SECONDS,
    KubernetesSettings,
    container_security,
    labels,
    pod_security,
    selector,
    tmp_volume,
)
from components.kubernetes.network import StackNamespace, allow, peer_pods
from components.minio import init_script

PORT = 9000
NAME = "minio"
REGION = "us-east-1"
MINIO_UID = 1000
VOLUME_GB = 10
CNPG_PODS = {"cnpg.io/cluster": "postgres"}
INIT = "minio-bucket-init"


@dataclass(frozen=True)
class MinioArgs:
    """The spec and where it runs."""

    spec: StorageSpec
    namespace: StackNamespace
    settings: KubernetesSettings
    tags: Mapping[str, str] = field(default_factory=dict)


class MinioStorage(Component):
    """MinIO + its bucket and app user; `outputs` are the contract's storage settings."""

    def __init__(
        self,
        name: str,
        args: MinioArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:kubernetes:Minio", name, transform, opts)
        spec, ns, tags = args.spec, args.namespace, args.tags
        root = self.child(random.RandomPassword, f"{name}-root-password", length=40, special=False)
        key = self.child(
            random.RandomPassword, f"{name}-app-access-key", length=20, special=False, upper=True
        )
        secret_key = self.child(
            random.RandomPassword, f"{name}-app-secret-key", length=40, special=False
        )
        root_secret = self.child(
            core.Secret,
            f"{name}-root",
            metadata=ns.meta("minio-root", NAME, tags),
            string_data={
                "MINIO_ROOT_USER": "trudeploy-root",
                "MINIO_ROOT_PASSWORD": pulumi.Output.secret(root.result),
            },
        )
        app_secret = self.child(
            core.Secret,
            f"{name}-app-user",
            metadata=ns.meta("minio-app-user", NAME, tags),
            string_data={
                "APP_ACCESS_KEY": pulumi.Output.secret(key.result),
                "APP_SECRET_KEY": pulumi.Output.secret(secret_key.result),
            },
        )
        service = self.child(
            core.Service,
            f"{name}-service",
            metadata=ns.meta(NAME, NAME, tags),
            spec={
                "selector": selector(NAME),
                "ports": [{"name": "s3", "port": PORT, "targetPort": "s3"}],
            },
        )
        tmp, tmp_mount = tmp_volume()
        claim: dict = {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{VOLUME_GB}Gi"}},
            },
        }
        if args.settings.storage_class:
            claim["spec"]["storageClassName"] = args.settings.storage_class
        size = {"cpu": "250m", "memory": "512Mi"}
        server = self.child(
            apps.StatefulSet,
            f"{name}-statefulset",
            metadata=ns.meta(NAME, NAME, tags),
            spec={
                "serviceName": service.metadata.apply(lambda m: m["name"]),
                "replicas": 1,
                "selector": {"matchLabels": selector(NAME)},
                "template": {
                    "metadata": {"labels": labels(NAME, tags)},
                    "spec": {
                        "automountServiceAccountToken": False,
                        "securityContext": pod_security(MINIO_UID),
                        "containers": [
                            {
                                "name": "minio",
                                "image": MINIO_IMAGE,
                                "args": ["server", "/data"],
                                # MinIO keeps its state under /data; HOME only for its CLI config.
                                "env": [{"name": "HOME", "value": "/tmp"}],
                                "envFrom": [{"secretRef": {"name": "minio-root"}}],
                                "ports": [{"name": "s3", "containerPort": PORT}],
                                "resources": {"requests": dict(size), "limits": dict(size)},
                                "securityContext": container_security(),
                                "readinessProbe": {
                                    "httpGet": {"path": "/minio/health/ready", "port": "s3"},
                                    "periodSeconds": 10,
                                },
                                "livenessProbe": {
                                    "httpGet": {"path": "/minio/health/live", "port": "s3"},
                                    "periodSeconds": 10,
                                    "failureThreshold": 6,
                                },
                                "volumeMounts": [
                                    {"name": "data", "mountPath": "/data"},
                                    tmp_mount,
                                ],
                            }
                        ],
                        "volumes": [tmp],
                    },
                },
                "volumeClaimTemplates": [claim],
            },
            opts=pulumi.ResourceOptions(depends_on=[root_secret]),
        )
        script = init_script(f"http://{NAME}:{PORT}", spec.bucket, spec.versioning)
        job_name = f"{INIT}-{hashlib.sha256(script.encode()).hexdigest()[:8]}"
        init_labels = labels(INIT, tags)
        init = self.child(
            batch.Job,
            f"{name}-bucket-init",
            metadata=ns.meta(job_name, INIT, tags),
            spec={
                "backoffLimit": RELEASE_BACKOFF_LIMIT,
                "activeDeadlineSeconds": RELEASE_DEADLINE_SECONDS,
                "template": {
                    "metadata": {"labels": init_labels},
                    "spec": {
                        "restartPolicy": "Never",
                        "automountServiceAccountToken": False,
                        "securityContext": pod_security(MINIO_UID),
                        "containers": [
                            {
                                "name": "mc",
                                "image": MC_IMAGE,
                                "command": ["sh", "-c", script],
                                "env": [{"name": "MC_CONFIG_DIR", "value": "/tmp/.mc"}],
                                "envFrom": [
                                    {"secretRef": {"name": "minio-root"}},
                                    {"secretRef": {"name": "minio-app-user"}},
                                ],
                                "resources": {"requests": dict(size), "limits": dict(size)},
                                "securityContext": container_security(),
                                "volumeMounts": [tmp_mount],
                            }
                        ],
                        "volumes": [tmp],
                    },
                },
            },
            opts=pulumi.ResourceOptions(depends_on=[server, app_secret]),
        )
        allow(
            self,
            name,
            "minio-ingress",
            ns,
            tags,
            selector(NAME),
            [
                (
                    [
                        peer_pods({APP_ROLE: "true"}),
                        peer_pods(CNPG_PODS),
                        peer_pods(selector(INIT)),
                    ],
                    [PORT],
                )
            ],
        )
        # The outputs wait on the init Job (Pulumi waits for a Job to complete and fails the
        # update when it fails), so nothing uses the bucket before it and its user exist.
        ready = init.id.apply(lambda _: spec.bucket)
        self.outputs = StorageOutputs(
            bucket=ready,
            region=pulumi.Output.from_input(REGION),
            url=pulumi.Output.concat("s3://", ready),
            endpoint_url=pulumi.Output.format(
                "http://{0}.{1}.svc.cluster.local:{2}", NAME, ns.name, PORT
            ),
            access_key_id=pulumi.Output.secret(
                pulumi.Output.all(ready, key.result).apply(lambda v: v[1])
            ),
            secret_access_key=pulumi.Output.secret(secret_key.result),
        )
        self.done({"bucket": self.outputs.bucket, "endpoint_url": self.outputs.endpoint_url})


def external_object_store(
    spec: StorageSpec, settings: KubernetesSettings, config: pulumi.Config
) -> StorageOutputs:
    """The contract outputs of an S3-compatible store outside the cluster (no resources)."""
    store = settings.object_store or {}
    return StorageOutputs(
        bucket=pulumi.Output.from_input(spec.bucket),
        region=pulumi.Output.from_input(str(store.get("region") or REGION)),
        url=pulumi.Output.from_input(f"s3://{spec.bucket}"),
        endpoint_url=pulumi.Output.from_input(str(store["endpoint"])),
        access_key_id=pulumi.Output.secret(config.require_secret("objectStoreAccessKeyId")),
        secret_access_key=pulumi.Output.secret(config.require_secret("objectStoreSecretAccessKey")),
    )
