"""Redis on the cluster: one StatefulSet pod with a persistent volume and a generated password.

The password (pulumi-random, S3) reaches the pod from a Secret as an env var, and `redis-server`
reads it from its argument list via Kubernetes' `$(VAR)` expansion, so no manifest holds it.
Append-only persistence on the volume keeps queued Celery tasks across a restart. A headless
Service gives the pod a stable name; a NetworkPolicy admits only the app's pods (D1, W5).

What this does not give (docs/kubernetes.md): HA (one pod; production wants `redis.provider:
external`, a managed Redis) and TLS (D3: traffic stays on the cluster network).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_random as random
from pulumi_kubernetes.apps import v1 as apps
from pulumi_kubernetes.core import v1 as core

from components.base import Component
from components.contract import ChildTransform, RedisOutputs, RedisSpec
from components.kubernetes.common import (
    APP_ROLE,
    REDIS_IMAGES,
    KubernetesSettings,
    container_security,
    cpu,
    labels,
    pod_security,
    selector,
    tmp_volume,
)
from components.kubernetes.network import StackNamespace, allow, peer_pods
from core.profiles import APP_SIZES

PORT = 6379
NAME = "redis"
REDIS_UID = 999
"""The `redis` user of the official alpine image."""
VOLUME_GB = {"xs": 1, "s": 2, "m": 5, "l": 10, "xl": 20}


@dataclass(frozen=True)
class RedisArgs:
    """The spec and where it runs."""

    spec: RedisSpec
    namespace: StackNamespace
    settings: KubernetesSettings
    tags: Mapping[str, str] = field(default_factory=dict)


class RedisStatefulSet(Component):
    """`redis` StatefulSet + headless Service; `url` is `redis://:<password>@redis.<ns>...`."""

    def __init__(
        self,
        name: str,
        args: RedisArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:kubernetes:Redis", name, transform, opts)
        spec, ns, tags = args.spec, args.namespace, args.tags
        password = self.child(random.RandomPassword, f"{name}-password", length=40, special=False)
        secret = self.child(
            core.Secret,
            f"{name}-auth",
            metadata=ns.meta("redis-auth", NAME, tags),
            string_data={"REDIS_PASSWORD": pulumi.Output.secret(password.result)},
        )
        pod_labels = labels(NAME, tags)
        service = self.child(
            core.Service,
            f"{name}-service",
            metadata=ns.meta(NAME, NAME, tags),
            spec={
                "clusterIP": "None",
                "selector": selector(NAME),
                "ports": [{"name": "redis", "port": PORT, "targetPort": "redis"}],
            },
        )
        cores, memory = APP_SIZES[spec.size]
        size = {"cpu": cpu(cores), "memory": f"{memory}Mi"}
        tmp, tmp_mount = tmp_volume()
        claim: dict = {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{VOLUME_GB[spec.size]}Gi"}},
            },
        }
        if args.settings.storage_class:
            claim["spec"]["storageClassName"] = args.settings.storage_class
        probe = {"tcpSocket": {"port": "redis"}, "periodSeconds": 10, "timeoutSeconds": 5}
        self.statefulset = self.child(
            apps.StatefulSet,
            f"{name}-statefulset",
            metadata=ns.meta(NAME, NAME, tags),
            spec={
                "serviceName": service.metadata.apply(lambda m: m["name"]),
                "replicas": 1,
                "selector": {"matchLabels": selector(NAME)},
                "template": {
                    "metadata": {"labels": pod_labels},
                    "spec": {
                        "automountServiceAccountToken": False,
                        "securityContext": pod_security(REDIS_UID),
                        "containers": [
                            {
                                "name": "redis",
                                "image": REDIS_IMAGES[spec.version],
                                "args": [
                                    "redis-server",
                                    "--requirepass",
                                    "$(REDIS_PASSWORD)",
                                    "--appendonly",
                                    "yes",
                                    "--dir",
                                    "/data",
                                    # Celery's broker: never evict a queued task.
                                    "--maxmemory-policy",
                                    "noeviction",
                                ],
                                "env": [
                                    {
                                        "name": "REDIS_PASSWORD",
                                        "valueFrom": {
                                            "secretKeyRef": {
                                                "name": "redis-auth",
                                                "key": "REDIS_PASSWORD",
                                            }
                                        },
                                    }
                                ],
                                "ports": [{"name": "redis", "containerPort": PORT}],
                                "resources": {"requests": dict(size), "limits": dict(size)},
                                "securityContext": container_security(),
                                "readinessProbe": probe,
                                "livenessProbe": {**probe, "failureThreshold": 6},
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
            opts=pulumi.ResourceOptions(depends_on=[secret]),
        )
        allow(
            self,
            name,
            "redis-ingress",
            ns,
            tags,
            selector(NAME),
            [([peer_pods({APP_ROLE: "true"})], [PORT])],
        )
        host = pulumi.Output.format("{0}.{1}.svc.cluster.local", NAME, ns.name)
        ready = self.statefulset.id.apply(lambda _: 0)
        self.outputs = RedisOutputs(
            url=pulumi.Output.secret(
                pulumi.Output.format("redis://:{0}@{1}:{2}/{3}", password.result, host, PORT, ready)
            )
        )
        self.done({"host": host})
