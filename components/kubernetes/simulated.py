"""What the Kubernetes API server (and Helm) would return for the objects the kubernetes target
declares, for the offline plan (components/simulated.py).

pulumi-kubernetes ids are `<namespace>/<name>` for namespaced objects and `<name>` for
cluster-scoped ones; every object gets a `uid` (a UUID) and a `resourceVersion`. Workloads report
the status the provider's await logic waits for: a Deployment or StatefulSet with every replica
ready, a Job complete, a CloudNativePG Cluster in its healthy phase, a Helm release deployed.
"""

from __future__ import annotations

import string
from typing import Any

from components.simulated import SimArgs, SimRule

CLUSTER_SCOPED = {"kubernetes:core/v1:Namespace"}


def _uid(a: SimArgs) -> str:
    h = a.digest("uid", 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _object(status: dict[str, Any] | None = None) -> SimRule:
    def rule(a: SimArgs) -> dict[str, Any]:
        metadata = dict(a.inputs.get("metadata") or {})
        name = str(metadata.get("name") or a.name)
        namespace = metadata.get("namespace")
        scoped = a.type not in CLUSTER_SCOPED and namespace
        metadata.update(
            uid=_uid(a),
            resourceVersion=a.chars(6, string.digits, "rv"),
            generation=1,
        )
        out: dict[str, Any] = {
            "id": f"{namespace}/{name}" if scoped else name,
            "metadata": metadata,
        }
        if status is not None:
            out["status"] = _status(a, status)
        return out

    return rule


def _status(a: SimArgs, template: dict[str, Any]) -> dict[str, Any]:
    spec = a.inputs.get("spec") or {}
    replicas = int(spec.get("replicas", 1))
    filled = dict(template)
    for key, value in template.items():
        if value == "replicas":
            filled[key] = replicas
    return filled


def _service(a: SimArgs) -> dict[str, Any]:
    out = _object()(a)
    spec = dict(a.inputs.get("spec") or {})
    if spec.get("clusterIP") != "None":
        octets = [int(a.digest(f"ip{i}", 2), 16) for i in range(2)]
        spec["clusterIP"] = f"10.96.{octets[0]}.{octets[1] or 1}"
    out["spec"] = spec
    return out


def _ingress(a: SimArgs) -> dict[str, Any]:
    out = _object()(a)
    out["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    return out


def _release(a: SimArgs) -> dict[str, Any]:
    name = str(a.inputs.get("name") or a.name)
    namespace = str(a.inputs.get("namespace") or "default")
    return {
        "id": f"{namespace}/{name}",
        "status": {
            "name": name,
            "namespace": namespace,
            "chart": a.inputs.get("chart"),
            "version": a.inputs.get("version"),
            "revision": 1,
            "status": "deployed",
        },
    }


READY = {"replicas": "replicas", "readyReplicas": "replicas", "availableReplicas": "replicas"}

RULES: dict[str, SimRule] = {
    "kubernetes:core/v1:Namespace": _object({"phase": "Active"}),
    "kubernetes:core/v1:ServiceAccount": _object(),
    "kubernetes:core/v1:ConfigMap": _object(),
    "kubernetes:core/v1:Secret": _object(),
    "kubernetes:core/v1:Service": _service,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": _object(),
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
    "kubernetes:apps/v1:Deployment": _object(READY),
    "kubernetes:apps/v1:StatefulSet": _object(READY),
    "kubernetes:batch/v1:Job": _object({"succeeded": 1, "active": 0}),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": _object({"currentReplicas": "replicas"}),
    "kubernetes:policy/v1:PodDisruptionBudget": _object({"disruptionsAllowed": 1}),
    "kubernetes:postgresql.cnpg.io/v1:Cluster": _object({"phase": "Cluster in healthy state"}),
    "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup": _object(),
    "kubernetes:helm.sh/v3:Release": _release,
}
