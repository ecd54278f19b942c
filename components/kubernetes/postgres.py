"""PostgreSQL on the cluster: a CloudNativePG `Cluster` with continuous backups to the stack's
object store.

- One instance in development, three in production (HA: CloudNativePG fails over to a replica and
  keeps the `-rw` service on the primary).
- The app's role and password are a `kubernetes.io/basic-auth` Secret from a generated password
  (pulumi-random, S3), handed to `bootstrap.initdb.secret`, so DATABASE_URL is known to Pulumi and
  stays a secret Output. The URL asks for TLS (`sslmode=require`): CloudNativePG serves TLS with
  its own CA by default (D3).
- Backups: WAL archiving and base backups with barman-cloud to `s3://<bucket>/postgres/` on the
  stack's object store (MinIO in development, the external store elsewhere), kept for the
  profile's retention, and a daily `ScheduledBackup`. CloudNativePG 1.26+ deprecates this in-tree
  barman support in favour of its Barman Cloud plugin; the field still works in 1.30 and the
  migration is listed in docs/kubernetes.md.
- The operator: installed by this stack from its Helm chart (`kubernetes.cnpgOperator: install`)
  or assumed present (`present`, the default): the Cluster then only needs its CRD.
- `pulumi up` waits for the Cluster's `Ready` condition (pulumi-kubernetes' `pulumi.com/waitFor`
  annotation), so the release Job never starts against a database that is not there (W6).
- Production: Pulumi `protect` on the Cluster (deletion protection, O5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_random as random
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core import v1 as core
from pulumi_kubernetes.helm import v3 as helm

from components.base import Component
from components.contract import ChildTransform, PostgresOutputs, PostgresSpec, StorageOutputs
from components.kubernetes.common import (
    APP_ROLE,
    CNPG_CHART,
    CNPG_CHART_REPO,
    CNPG_CHART_VERSION,
    POSTGRES_IMAGES,
    KubernetesSettings,
    cpu,
    labels,
)
from components.kubernetes.network import StackNamespace, allow, peer_namespace, peer_pods
from core.profiles import APP_SIZES

PORT = 5432
CLUSTER_NAME = "postgres"
CNPG_API = "postgresql.cnpg.io/v1"
CLUSTER_LABEL = "cnpg.io/cluster"
OPERATOR_POD = {"app.kubernetes.io/name": "cloudnative-pg"}
"""The operator pod's label in the chart; the operator reaches instances on 8000 (status) and 5432
(CloudNativePG docs/src/networking.md, samples/networkpolicy-example.yaml)."""
WAIT_READY = {"pulumi.com/waitFor": "condition=Ready"}
BACKUP_SCHEDULE = "0 0 3 * * *"
"""Daily at 03:00 (CloudNativePG's six-field cron, seconds first)."""


@dataclass(frozen=True)
class PostgresArgs:
    """The spec, where it runs, and the object store its backups go to."""

    spec: PostgresSpec
    namespace: StackNamespace
    settings: KubernetesSettings
    backups: StorageOutputs
    tags: Mapping[str, str] = field(default_factory=dict)


class CnpgPostgres(Component):
    """A CloudNativePG Cluster reachable only from the app's pods (and its operator)."""

    def __init__(
        self,
        name: str,
        args: PostgresArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:kubernetes:Postgres", name, transform, opts)
        spec, ns, tags = args.spec, args.namespace, args.tags
        password = self.child(random.RandomPassword, f"{name}-password", length=40, special=False)
        credentials = self.child(
            core.Secret,
            f"{name}-app-credentials",
            metadata=ns.meta("postgres-app-credentials", "postgres", tags),
            type="kubernetes.io/basic-auth",
            string_data={
                "username": spec.username,
                "password": pulumi.Output.secret(password.result),
            },
        )
        backup_keys = self.child(
            core.Secret,
            f"{name}-backup-credentials",
            metadata=ns.meta("postgres-backup-credentials", "postgres", tags),
            string_data={
                "ACCESS_KEY_ID": pulumi.Output.secret(args.backups.access_key_id or ""),
                "ACCESS_SECRET_KEY": pulumi.Output.secret(args.backups.secret_access_key or ""),
                "ACCESS_REGION": args.backups.region,
            },
        )
        after: list[pulumi.Resource] = []
        if args.settings.cnpg_operator == "install":
            after.append(self._operator(name, args.settings))
        self.cluster = self.child(
            CustomResource,
            f"{name}-cluster",
            api_version=CNPG_API,
            kind="Cluster",
            metadata={
                **ns.meta(CLUSTER_NAME, "postgres", tags),
                "annotations": dict(WAIT_READY),
            },
            spec=cluster_spec(spec, args.settings, args.backups, credentials, backup_keys),
            opts=pulumi.ResourceOptions(depends_on=after, protect=spec.deletion_protection),
        )
        self.child(
            CustomResource,
            f"{name}-daily-backup",
            api_version=CNPG_API,
            kind="ScheduledBackup",
            metadata=ns.meta(f"{CLUSTER_NAME}-daily", "postgres", tags),
            spec={
                "schedule": BACKUP_SCHEDULE,
                "cluster": {"name": CLUSTER_NAME},
                "backupOwnerReference": "cluster",
                "immediate": True,
            },
            opts=pulumi.ResourceOptions(depends_on=[self.cluster]),
        )
        allow(
            self,
            name,
            "postgres-ingress",
            ns,
            tags,
            {CLUSTER_LABEL: CLUSTER_NAME},
            [
                ([peer_pods({APP_ROLE: "true"})], [PORT]),
                ([peer_pods({CLUSTER_LABEL: CLUSTER_NAME})], [PORT, 8000]),
                ([peer_namespace(args.settings.cnpg_namespace, OPERATOR_POD)], [8000, PORT]),
            ],
        )
        host = pulumi.Output.format("{0}-rw.{1}.svc.cluster.local", CLUSTER_NAME, ns.name)
        ready = self.cluster.id.apply(lambda _: spec.database)
        self.outputs = PostgresOutputs(
            url=pulumi.Output.secret(
                pulumi.Output.format(
                    "postgresql://{0}:{1}@{2}:{3}/{4}?sslmode=require",
                    spec.username,
                    password.result,
                    host,
                    PORT,
                    ready,
                )
            ),
            host=host,
            port=pulumi.Output.from_input(PORT),
            database=ready,
        )
        self.done({"host": self.outputs.host, "database": self.outputs.database})

    def _operator(self, name: str, settings: KubernetesSettings) -> helm.Release:
        return self.child(
            helm.Release,
            f"{name}-operator",
            name="cnpg",
            chart=CNPG_CHART,
            version=CNPG_CHART_VERSION,
            repository_opts={"repo": CNPG_CHART_REPO},
            namespace=settings.cnpg_namespace,
            create_namespace=True,
            atomic=True,
        )


def cluster_spec(
    spec: PostgresSpec,
    settings: KubernetesSettings,
    backups: StorageOutputs,
    credentials: core.Secret,
    backup_keys: core.Secret,
) -> dict[str, Any]:
    """The Cluster's spec (validated against the vendored CRD by the suite)."""
    cores, memory = APP_SIZES[spec.size]
    storage: dict[str, Any] = {"size": f"{spec.storage_gb}Gi"}
    if settings.storage_class:
        storage["storageClass"] = settings.storage_class
    keys_secret = backup_keys.metadata.apply(lambda m: m["name"])
    store: dict[str, Any] = {
        "destinationPath": backups.bucket.apply(lambda b: f"s3://{b}/postgres/"),
        "s3Credentials": {
            "accessKeyId": {"name": keys_secret, "key": "ACCESS_KEY_ID"},
            "secretAccessKey": {"name": keys_secret, "key": "ACCESS_SECRET_KEY"},
            "region": {"name": keys_secret, "key": "ACCESS_REGION"},
        },
        "wal": {"compression": "gzip"},
        "data": {"compression": "gzip"},
    }
    if backups.endpoint_url is not None:
        store["endpointURL"] = backups.endpoint_url
    return {
        "instances": 3 if spec.ha else 1,
        "imageName": POSTGRES_IMAGES[spec.version],
        "primaryUpdateStrategy": "unsupervised",
        "enableSuperuserAccess": False,
        # A PDB on a lone instance would block every node drain.
        "enablePDB": spec.ha,
        "storage": storage,
        "resources": {
            "requests": {"cpu": cpu(cores), "memory": f"{memory}Mi"},
            "limits": {"cpu": cpu(cores), "memory": f"{memory}Mi"},
        },
        "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "bootstrap": {
            "initdb": {
                "database": spec.database,
                "owner": spec.username,
                "secret": {"name": credentials.metadata.apply(lambda m: m["name"])},
            }
        },
        "backup": {
            "retentionPolicy": f"{spec.backup_retention_days}d",
            "barmanObjectStore": store,
        },
        "inheritedMetadata": {"labels": labels("postgres", {})},
    }
