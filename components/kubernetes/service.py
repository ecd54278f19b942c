"""The service on Kubernetes: env, the release Job, web, worker and the one beat.

- Env (W1, S2): the contract's plain keys in the `app-env` ConfigMap, its secret keys in the
  `app-secrets` Secret; every app container takes both with `envFrom`. A checksum of the whole env
  in each pod template's annotations rolls the pods when a value changes.
- release: a Job per image version (`release-<digest of the image reference>`), with a deadline
  and a small backoff limit. pulumi-kubernetes waits for a Job to complete and fails the update
  when it fails; web, worker and beat depend on it, so new code takes traffic only after its
  migrations ran (W3, W6).
- web: a Deployment that surges one pod and never goes below the desired count
  (`maxUnavailable: 0`), readiness on the ready path, liveness on the live path, a startup probe
  that gives the app its start period (W4); a Service and an Ingress (class from config; TLS from
  a cert-manager ClusterIssuer when the stack has a domain, O6). Production: a
  HorizontalPodAutoscaler from the profile's replicas to its maximum, and a PodDisruptionBudget.
- worker: a Deployment whose termination grace period outlives the Celery task time limit.
- beat: one replica, `Recreate`, so an update stops the old beat before starting the new one.
- Every pod: the service account without a token, the restricted security context, requests
  and limits from the profile, a memory emptyDir at /tmp on a read-only root filesystem.
- A NetworkPolicy admits web's port from the ingress controller's namespace only.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_kubernetes.apps import v1 as apps
from pulumi_kubernetes.autoscaling import v2 as autoscaling
from pulumi_kubernetes.batch import v1 as batch
from pulumi_kubernetes.core import v1 as core
from pulumi_kubernetes.networking import v1 as networking
from pulumi_kubernetes.policy import v1 as policy

from components.base import Component
from components.contract import AppEnv, ChildTransform, ProcessSpec, ServiceSpec
from components.kubernetes.common import (
    APP_ROLE,
    GRACE_SECONDS,
    RELEASE_BACKOFF_LIMIT,
    RELEASE_DEADLINE_SECONDS,
    KubernetesSettings,
    container_security,
    labels,
    pod_security,
    resources,
    selector,
    tmp_volume,
)
from components.kubernetes.image import app_image
from components.kubernetes.network import StackNamespace, allow, peer_namespace

ENV_CONFIG = "app-env"
ENV_SECRET = "app-secrets"
CHECKSUM = "trudeploy.io/env-checksum"
CPU_TARGET_PERCENT = 70
TLS_SECRET = "web-tls"
ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer"
"""cert-manager's ingress-shim issues the Ingress's TLS certificate from this ClusterIssuer
(https://cert-manager.io/docs/usage/ingress/)."""


@dataclass(frozen=True)
class ServiceArgs:
    """The spec, its environment, and where it runs."""

    spec: ServiceSpec
    env: AppEnv
    namespace: StackNamespace
    settings: KubernetesSettings
    host: str
    autoscale: bool
    tags: Mapping[str, str] = field(default_factory=dict)


def release_name(image: str) -> str:
    """The release Job's name: one Job per image version."""
    return f"release-{hashlib.sha256(image.encode()).hexdigest()[:10]}"


def _checksum(values: list[Any]) -> str:
    return hashlib.sha256("\0".join(str(v) for v in values).encode()).hexdigest()


class KubernetesService(Component):
    """`workloads` (process -> Deployment), `release` (the Job), `ingress`, and `url`."""

    def __init__(
        self,
        name: str,
        args: ServiceArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:kubernetes:Service", name, transform, opts)
        spec, ns, tags, env = args.spec, args.namespace, args.tags, args.env
        self.args = args
        self.image = app_image(spec.image)
        config_map = self.child(
            core.ConfigMap,
            f"{name}-env",
            metadata=ns.meta(ENV_CONFIG, "app", tags),
            data=dict(sorted(env.plain.items())),
        )
        secret = self.child(
            core.Secret,
            f"{name}-secrets",
            metadata=ns.meta(ENV_SECRET, "app", tags),
            string_data=dict(sorted(env.secret.items())),
        )
        ordered = [v for _, v in sorted({**env.plain, **env.secret}.items())]
        self.checksum = pulumi.Output.unsecret(pulumi.Output.all(*ordered).apply(_checksum))
        self.release = self._release(name, [config_map, secret])
        self.workloads: dict[str, apps.Deployment] = {}
        for process in ("web", "worker", "beat"):
            self.workloads[process] = self._deployment(name, spec.processes[process])
        web = spec.processes["web"]
        service = self.child(
            core.Service,
            f"{name}-web-service",
            metadata=ns.meta("web", "web", tags),
            spec={
                "selector": selector("web"),
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            },
        )
        self.ingress = self._ingress(name, service)
        if args.autoscale:
            self._production(name, web)
        allow(
            self,
            name,
            "web-ingress",
            ns,
            tags,
            selector("web"),
            [([peer_namespace(args.settings.ingress_namespace)], [spec.port])],
        )
        scheme = "https" if spec.domain else "http"
        self.url: pulumi.Output[str] = pulumi.Output.all(
            self.ingress.id, self.workloads["web"].id
        ).apply(lambda _: f"{scheme}://{args.host}")
        self.done({"url": self.url})

    # ------------------------------------------------------------------ pods

    def _pod(self, process: ProcessSpec, restart: str = "Always") -> dict[str, Any]:
        args = self.args
        tmp, tmp_mount = tmp_volume()
        container: dict[str, Any] = {
            "name": process.name,
            "image": self.image,
            "args": list(process.command),
            "envFrom": [
                {"configMapRef": {"name": ENV_CONFIG}},
                {"secretRef": {"name": ENV_SECRET}},
            ],
            "resources": resources(process),
            "securityContext": container_security(),
            "volumeMounts": [tmp_mount],
        }
        if process.serves_http:
            container["ports"] = [{"name": "http", "containerPort": args.spec.port}]
            container.update(probes(args.spec))
        pod_spec: dict[str, Any] = {
            "serviceAccountName": args.namespace.account.metadata.apply(lambda m: m["name"]),
            "automountServiceAccountToken": False,
            "restartPolicy": restart,
            "securityContext": pod_security(),
            "containers": [container],
            "volumes": [tmp],
        }
        if process.name in GRACE_SECONDS:
            pod_spec["terminationGracePeriodSeconds"] = GRACE_SECONDS[process.name]
        return {
            "metadata": {
                "labels": {**labels(process.name, args.tags), APP_ROLE: "true"},
                "annotations": {CHECKSUM: self.checksum},
            },
            "spec": pod_spec,
        }

    def _release(self, name: str, env: list[pulumi.Resource]) -> batch.Job:
        process = self.args.spec.processes["release"]
        return self.child(
            batch.Job,
            f"{name}-release",
            metadata=self.args.namespace.meta(release_name(self.image), "release", self.args.tags),
            spec={
                "backoffLimit": RELEASE_BACKOFF_LIMIT,
                "activeDeadlineSeconds": RELEASE_DEADLINE_SECONDS,
                "template": self._pod(process, restart="Never"),
            },
            opts=pulumi.ResourceOptions(depends_on=env),
        )

    def _deployment(self, name: str, process: ProcessSpec) -> apps.Deployment:
        spec: dict[str, Any] = {
            "selector": {"matchLabels": selector(process.name)},
            "template": self._pod(process),
        }
        if process.name == "beat":
            # Two beats would send every scheduled task twice: stop the old one first.
            spec.update(replicas=1, strategy={"type": "Recreate"})
        elif process.name == "web":
            spec["strategy"] = {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            }
            if not self.args.autoscale:
                spec["replicas"] = process.replicas
        else:
            spec["replicas"] = process.replicas
        return self.child(
            apps.Deployment,
            f"{name}-{process.name}",
            metadata=self.args.namespace.meta(process.name, process.name, self.args.tags),
            spec=spec,
            opts=pulumi.ResourceOptions(depends_on=[self.release]),
        )

    # ------------------------------------------------------------------ traffic

    def _ingress(self, name: str, service: core.Service) -> networking.Ingress:
        args = self.args
        meta = args.namespace.meta("web", "web", args.tags)
        rule: dict[str, Any] = {
            "host": args.host,
            "http": {
                "paths": [
                    {
                        "path": "/",
                        "pathType": "Prefix",
                        "backend": {
                            "service": {
                                "name": service.metadata.apply(lambda m: m["name"]),
                                "port": {"name": "http"},
                            }
                        },
                    }
                ]
            },
        }
        spec: dict[str, Any] = {"ingressClassName": args.settings.ingress_class, "rules": [rule]}
        if args.spec.domain:
            meta["annotations"] = {ISSUER_ANNOTATION: args.settings.cluster_issuer}
            spec["tls"] = [{"hosts": [args.spec.domain], "secretName": TLS_SECRET}]
        return self.child(networking.Ingress, f"{name}-ingress", metadata=meta, spec=spec)

    def _production(self, name: str, web: ProcessSpec) -> None:
        args = self.args
        target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
        self.child(
            autoscaling.HorizontalPodAutoscaler,
            f"{name}-web-autoscaler",
            metadata=args.namespace.meta("web", "web", args.tags),
            spec={
                "scaleTargetRef": target,
                "minReplicas": web.replicas,
                "maxReplicas": max(args.spec.max_web_replicas, web.replicas),
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {
                                "type": "Utilization",
                                "averageUtilization": CPU_TARGET_PERCENT,
                            },
                        },
                    }
                ],
            },
            opts=pulumi.ResourceOptions(depends_on=[self.workloads["web"]]),
        )
        self.child(
            policy.PodDisruptionBudget,
            f"{name}-web-disruption-budget",
            metadata=args.namespace.meta("web", "web", args.tags),
            spec={"maxUnavailable": 1, "selector": {"matchLabels": selector("web")}},
        )


def probes(spec: ServiceSpec) -> dict[str, Any]:
    """Readiness on the ready path, liveness on the live path, and a startup probe on the live
    path that allows three start periods before liveness takes over (W4)."""
    health = spec.health

    def get(path: str) -> dict[str, Any]:
        return {"path": path, "port": "http"}

    common = {"periodSeconds": health.interval_seconds, "timeoutSeconds": health.timeout_seconds}
    startup_period = 5
    return {
        "readinessProbe": {"httpGet": get(health.ready_path), **common, "failureThreshold": 3},
        "livenessProbe": {
            "httpGet": get(health.live_path),
            **common,
            "failureThreshold": health.retries,
        },
        "startupProbe": {
            "httpGet": get(health.live_path),
            "periodSeconds": startup_period,
            "timeoutSeconds": health.timeout_seconds,
            "failureThreshold": math.ceil(3 * health.start_period_seconds / startup_period),
        },
    }
