"""Kubernetes vocabulary in one place: the target's settings, labels, the restricted pod security
settings every pod gets, resource sizes, and the front proxy's behaviour.

Everything here is plain data (no pulumi_kubernetes import), so the plan view, the constraints and
the tests can read it without loading the provider SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from components.contract import DeployContext, ProcessSpec, TargetNotAvailable

PART_OF = "app.kubernetes.io/part-of"
COMPONENT = "app.kubernetes.io/component"
NAME = "app.kubernetes.io/name"
MANAGED_BY = "app.kubernetes.io/managed-by"
APP_ROLE = "trudeploy.io/app"
"""Label on every pod that runs the service's image (release, web, worker, beat): the
NetworkPolicies admit exactly these pods to PostgreSQL, Redis and MinIO."""

APP_UID = 10001
"""The app image's user (app/Dockerfile `USER 10001:10001`)."""

TMP_MOUNT = "/tmp"
"""Where the app writes on a read-only root filesystem: Python's and gunicorn's temporary files
(gunicorn's worker heartbeat files go to the default temp dir) and Celery beat's schedule file
(`CELERY_BEAT_SCHEDULE_FILE`, default /tmp/celerybeat-schedule in app/docker-entrypoint.sh)."""
TMP_SIZE = "64Mi"

CELERY_TASK_TIME_LIMIT_SECONDS = 300
"""The app's hard Celery task time limit (app/config/settings/base.py CELERY_TASK_TIME_LIMIT)."""
GRACE_SECONDS = {"web": 30, "worker": CELERY_TASK_TIME_LIMIT_SECONDS + 30, "beat": 30}
"""terminationGracePeriodSeconds per process: web drains within gunicorn's graceful_timeout (20 s),
the worker outlives the longest task the time limit allows, so a rollout never kills one."""

RELEASE_DEADLINE_SECONDS = 600
"""activeDeadlineSeconds of the release Job: migrations that run longer fail the deploy."""
RELEASE_BACKOFF_LIMIT = 2
"""Retries of a failed release pod before the Job fails (no endless retries)."""
JOB_TTL_SECONDS = 86400
"""A finished Job is kept a day for its logs; Pulumi recreates it only for a new image."""

TRUSTED_PROXIES = 1
"""ingress-nginx, by default (`use-forwarded-headers: false`), ignores a client's X-Forwarded-For
and sets it to the address it saw, so the app trusts one hop: the controller
(https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers).
Behind an L7 load balancer with forwarded headers enabled it is 2: `kubernetes.trustedProxies`."""
IDLE_TIMEOUT_SECONDS = 60
"""ingress-nginx keeps an idle upstream connection 60 s (`upstream-keepalive-timeout`,
https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#upstream-keepalive-timeout),
so web keeps connections 75 s (components/app_env.py)."""

CNPG_CHART = "cloudnative-pg"
CNPG_CHART_REPO = "https://cloudnative-pg.github.io/charts"
CNPG_CHART_VERSION = "0.29.0"
"""The chart that installs CloudNativePG 1.30.0, the operator whose Cluster CRD the suite validates
against (tests/plan_kubernetes/schemas/SOURCE.md)."""

REDIS_IMAGES = {7: "redis:7.4.2-alpine", 6: "redis:6.2.17-alpine"}
MINIO_IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z"
MC_IMAGE = "minio/mc:RELEASE.2025-04-16T18-13-26Z"
"""MinIO pinned to the releases app/docker-compose.yml and the docker target run."""
POSTGRES_IMAGES = {v: f"ghcr.io/cloudnative-pg/postgresql:{v}" for v in (14, 15, 16, 17)}
"""CloudNativePG's operand images (with barman-cloud for backups), by major version."""


@dataclass(frozen=True)
class KubernetesSettings:
    """`trudeploy:kubernetes` from the stack file (validated by stacks/config.py)."""

    ingress_class: str = "nginx"
    ingress_namespace: str = "ingress-nginx"
    cluster_issuer: str = "letsencrypt"
    cnpg_operator: Literal["install", "present"] = "present"
    cnpg_namespace: str = "cnpg-system"
    storage_class: str | None = None
    trusted_proxies: int = TRUSTED_PROXIES
    object_store: Mapping[str, str] | None = None

    @classmethod
    def from_context(cls, ctx: DeployContext) -> KubernetesSettings:
        """The settings the program handed over (defaults where the stack says nothing)."""
        raw: Any = ctx.setting("trudeploy:kubernetes") or {}
        if not isinstance(raw, Mapping):
            raise TargetNotAvailable("trudeploy:kubernetes must be a mapping")
        keys = {
            "ingressClass": "ingress_class",
            "ingressNamespace": "ingress_namespace",
            "clusterIssuer": "cluster_issuer",
            "cnpgOperator": "cnpg_operator",
            "cnpgNamespace": "cnpg_namespace",
            "storageClass": "storage_class",
            "trustedProxies": "trusted_proxies",
            "objectStore": "object_store",
        }
        return cls(**{keys[k]: v for k, v in raw.items() if k in keys and v is not None})


def labels(component: str, tags: Mapping[str, str], **extra: str) -> dict[str, str]:
    """The stack's tags as labels (O3) plus the recommended app.kubernetes.io labels."""
    found = {f"trudeploy.io/{k}": v for k, v in sorted(tags.items())}
    found.update({NAME: component, PART_OF: "trudeploy", MANAGED_BY: "pulumi"})
    found.update(extra)
    return found


def selector(component: str) -> dict[str, str]:
    """The stable subset of `labels` that Deployments, Services and policies select on."""
    return {NAME: component, PART_OF: "trudeploy"}


def cpu(value: float) -> str:
    """CPU as millicores (`0.25` -> `250m`)."""
    return f"{round(value * 1000)}m"


def resources(process: ProcessSpec) -> dict[str, Any]:
    """Requests equal to limits from the profile, so the pod is Guaranteed QoS and sized as the
    other targets size it."""
    size = {"cpu": cpu(process.cpu), "memory": f"{process.memory_mb}Mi"}
    return {"requests": dict(size), "limits": dict(size)}


def pod_security(uid: int = APP_UID) -> dict[str, Any]:
    """Pod securityContext: the Pod Security Standards' restricted profile
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)."""
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security() -> dict[str, Any]:
    """Container securityContext: non-root, read-only root filesystem, no privilege escalation,
    every capability dropped, RuntimeDefault seccomp."""
    return {
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def tmp_volume() -> tuple[dict[str, Any], dict[str, Any]]:
    """(volume, mount) of the memory-backed emptyDir where a read-only pod may write."""
    volume = {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": TMP_SIZE}}
    return volume, {"name": "tmp", "mountPath": TMP_MOUNT}
