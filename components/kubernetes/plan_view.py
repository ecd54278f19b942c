"""How the invariant checks read the kubernetes target's resources in an offline plan.

A process is a workload whose pods run the app image: the web, worker and beat Deployments and the
release Job, told apart by their `app.kubernetes.io/name` label. Its env keys are the keys of the
ConfigMaps and Secrets its container takes with `envFrom` (in the same namespace); its health
checks are its container's probe paths; Deployments are supervised (the ReplicaSet controller
restarts pods) when they ask for at least one replica or an autoscaler keeps one.

Stateful: the CloudNativePG Cluster (postgres), and the Redis and MinIO StatefulSets, persistent
when they claim a volume. An external object store lives outside the stack, so a plan that uses
one has no storage resource: `EXCEPTIONS` names that, and `excepted` accepts exactly it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from components.kubernetes.common import NAME
from core.plan import Plan, PlanResource, ProcessInstance, StatefulResource

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SECRET = "kubernetes:core/v1:Secret"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster"
PROCESSES = ("web", "worker", "beat", "release")
STATEFUL_SETS = {"redis": "redis", "minio": "storage"}

EXCEPTIONS: dict[str, str] = {
    "stateful resources persist": (
        "with kubernetes.objectStore the bucket is an external S3-compatible store that the "
        "stack does not declare, so the plan holds no storage resource (docs/kubernetes.md)"
    ),
}
"""Shared invariant -> why this target cannot satisfy it (only with an external object store)."""


def external_store(plan: Plan) -> bool:
    """The app's storage endpoint is outside the cluster (not a `*.svc.cluster.local` name)."""
    endpoints = [
        str((c.inputs.get("data") or {}).get("AWS_S3_ENDPOINT_URL", ""))
        for c in plan.of_type(CONFIG_MAP)
    ]
    return any(e and ".svc.cluster.local" not in e for e in endpoints)


def excepted(violation: str, plan: Plan) -> bool:
    """True for a violation `EXCEPTIONS` documents, and only that: no storage resource, in a
    plan whose app uses an external store."""
    rule, _, detail = violation.partition(": ")
    return (
        rule == "stateful resources persist"
        and detail == "no storage in the plan"
        and external_store(plan)
    )


def meta(resource: PlanResource) -> dict[str, Any]:
    """The resource's `metadata` input."""
    return dict(resource.inputs.get("metadata") or {})


def pod_spec(resource: PlanResource) -> dict[str, Any]:
    """The pod spec of a Deployment, StatefulSet or Job."""
    return dict(((resource.inputs.get("spec") or {}).get("template") or {}).get("spec") or {})


def containers(resource: PlanResource) -> list[dict[str, Any]]:
    """The pod's containers."""
    return list(pod_spec(resource).get("containers") or [])


def _named(plan: Plan, type_token: str, namespace: str, name: str) -> PlanResource | None:
    return next(
        (
            r
            for r in plan.of_type(type_token)
            if meta(r).get("name") == name and meta(r).get("namespace") == namespace
        ),
        None,
    )


def env_keys(plan: Plan, workload: PlanResource) -> frozenset[str]:
    """Keys every container of the workload gets: its `env` names plus the keys of the
    ConfigMaps and Secrets it takes with `envFrom`."""
    namespace = meta(workload).get("namespace")
    keys: set[str] = set()
    for container in containers(workload):
        keys |= {str(e.get("name")) for e in container.get("env") or []}
        for source in container.get("envFrom") or []:
            for field, type_token, data in (
                ("configMapRef", CONFIG_MAP, ("data",)),
                ("secretRef", SECRET, ("stringData", "data")),
            ):
                ref = source.get(field)
                if not ref:
                    continue
                found = _named(plan, type_token, str(namespace), str(ref.get("name")))
                for key in data:
                    keys |= set((found.inputs.get(key) or {}) if found else {})
    return frozenset(keys)


def probe_paths(workload: PlanResource) -> tuple[str, ...]:
    """`<probe>: <path>` for every HTTP probe of every container."""
    found = []
    for container in containers(workload):
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            path = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
            if path:
                found.append(f"{probe}: {path}")
    return tuple(found)


def autoscaled(plan: Plan, deployment: PlanResource) -> bool:
    """An autoscaler in the same namespace targets this Deployment with at least one replica."""
    name, namespace = meta(deployment).get("name"), meta(deployment).get("namespace")
    for hpa in plan.of_type(HPA):
        spec = hpa.inputs.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        if (
            meta(hpa).get("namespace") == namespace
            and ref.get("kind") == "Deployment"
            and ref.get("name") == name
            and int(spec.get("minReplicas", 1)) >= 1
        ):
            return True
    return False


def process_of(resource: PlanResource) -> str | None:
    """The app process a workload runs (its name label), or None."""
    name = (meta(resource).get("labels") or {}).get(NAME)
    return name if name in PROCESSES else None


class KubernetesPlanView:
    """Reads Deployments, the release Job, env ConfigMaps/Secrets, and the stateful workloads."""

    def processes(self, plan: Plan) -> list[ProcessInstance]:
        found: list[ProcessInstance] = []
        for resource in [*plan.of_type(DEPLOYMENT), *plan.of_type(JOB)]:
            process = process_of(resource)
            if process is None:
                continue
            spec = resource.inputs.get("spec") or {}
            if resource.type == JOB:
                supervised = False
            else:
                supervised = int(spec.get("replicas", 1)) >= 1 or autoscaled(plan, resource)
            found.append(
                ProcessInstance(
                    process,
                    resource.urn,
                    env_keys(plan, resource),
                    probe_paths(resource),
                    supervised,
                )
            )
        return found

    def stateful(self, plan: Plan) -> list[StatefulResource]:
        found = [
            StatefulResource(
                urn=r.urn,
                capability="postgres",
                persistent=bool(((r.inputs.get("spec") or {}).get("storage") or {}).get("size")),
            )
            for r in plan.of_type(CLUSTER)
        ]
        for r in plan.of_type(STATEFULSET):
            capability = STATEFUL_SETS.get(str(meta(r).get("name")))
            if capability:
                claims = (r.inputs.get("spec") or {}).get("volumeClaimTemplates") or []
                found.append(StatefulResource(r.urn, capability, bool(claims)))
        return found

    def unexplained(self, plan: Plan, found: Iterable[str]) -> list[str]:
        """The violations `EXCEPTIONS` does not account for."""
        return [v for v in found if not excepted(v, plan)]


VIEW = KubernetesPlanView()
