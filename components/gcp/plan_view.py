"""How the invariant checks read the GCP target's resources in an offline plan.

A process is a Cloud Run resource: the release job, the web service, and one worker pool each for
worker and beat; the process name is its container's `args` (the image entrypoint's first
argument). Its env keys are the container's `envs` names (plain values and Secret Manager
references alike) plus PORT, which Cloud Run reserves and sets itself (service.CLOUD_RUN_SETS:
web's is its container port, the contract's port). Web's health checks are its startup probe
(readiness: Cloud Run sends traffic to an instance only once it passes) and its liveness probe.
The release job runs once per deploy and web depends on it (components/gcp/service.py), so the
shared "release before web" check reads that order. An instance is supervised when Cloud Run
keeps at least one running: web's minimum instances, a worker pool's manual instance count.
"""

from __future__ import annotations

from typing import Any

from core.plan import Plan, PlanResource, ProcessInstance, StatefulResource

JOB = "gcp:cloudrunv2/job:Job"
SERVICE = "gcp:cloudrunv2/service:Service"
POOL = "gcp:cloudrunv2/workerPool:WorkerPool"
PLATFORM_KEYS = frozenset({"PORT"})
"""Contract keys Cloud Run sets in every container itself (components/gcp/service.py)."""
STATEFUL = {
    "gcp:sql/databaseInstance:DatabaseInstance": "postgres",
    "gcp:redis/instance:Instance": "redis",
    "gcp:storage/bucket:Bucket": "storage",
}


def containers(resource: PlanResource) -> list[dict[str, Any]]:
    """The Cloud Run resource's containers (a job nests its task template one level deeper)."""
    template = dict(resource.inputs.get("template") or {})
    if resource.type == JOB:
        template = dict(template.get("template") or {})
    return list(template.get("containers") or [])


def probe_path(container: dict[str, Any], probe: str) -> str | None:
    """The HTTP path of a probe (`startupProbe`, `livenessProbe`), or None."""
    return ((container.get(probe) or {}).get("httpGet") or {}).get("path")


def instances(resource: PlanResource) -> int:
    """How many instances Cloud Run keeps running (a job: none between executions)."""
    if resource.type == SERVICE:
        scaling = (resource.inputs.get("template") or {}).get("scaling") or {}
        return int(scaling.get("minInstanceCount", 0))
    if resource.type == POOL:
        return int((resource.inputs.get("scaling") or {}).get("manualInstanceCount", 0))
    return 0


class GcpPlanView:
    """Reads Cloud Run jobs, services and worker pools, and the stateful managed services."""

    def processes(self, plan: Plan) -> list[ProcessInstance]:
        found: list[ProcessInstance] = []
        for resource in [*plan.of_type(JOB), *plan.of_type(SERVICE), *plan.of_type(POOL)]:
            for c in containers(resource):
                checks = tuple(
                    str(p)
                    for p in (probe_path(c, "startupProbe"), probe_path(c, "livenessProbe"))
                    if p
                )
                found.append(
                    ProcessInstance(
                        process=" ".join(c.get("args") or ["?"]),
                        urn=resource.urn,
                        env_keys=frozenset(str(e.get("name")) for e in c.get("envs") or [])
                        | PLATFORM_KEYS,
                        health_checks=checks,
                        supervised=instances(resource) >= 1,
                    )
                )
        return found

    def stateful(self, plan: Plan) -> list[StatefulResource]:
        return [
            StatefulResource(urn=r.urn, capability=capability, persistent=True)
            for type_token, capability in STATEFUL.items()
            for r in plan.of_type(type_token)
        ]


VIEW = GcpPlanView()
