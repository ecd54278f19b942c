"""How the invariant checks read the Azure target's resources in an offline plan.

A process is a container of a Container App: web's, worker's and beat's app containers, and the
release step, which is an init container of web's revision (components/azure/service.py). The
process name is the container's `args` (the image entrypoint's first argument); its env keys are
the container's `env` names (plain values and Key Vault references alike); web's health checks
are its readiness and liveness probes. A container is supervised when its app keeps at least one
replica running.

`EXCEPTIONS`: the shared "release before web" check reads resource dependencies, and the release
here is ordered inside web's own revision by Container Apps (init containers run to completion
before the revision's app containers start, and single-revision mode moves traffic only to a
ready revision), not by a dependency between two resources. `excepted` accepts exactly that
violation, and only for an app whose init container is the release.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.plan import Plan, PlanResource, ProcessInstance, StatefulResource

APP = "azure-native:app:ContainerApp"
STATEFUL = {
    "azure-native:dbforpostgresql:Server": "postgres",
    "azure-native:redisenterprise:RedisEnterprise": "redis",
    "azure-native:storage:StorageAccount": "storage",
}
RELEASE_RULE = "W3 release before web"
EXCEPTIONS: dict[str, str] = {
    RELEASE_RULE: (
        "the release is an init container of web's revision, ordered by Container Apps inside "
        "the revision rather than by a dependency between resources (docs/azure.md)"
    ),
}
"""Shared invariant -> why Azure reads it differently; `excepted` matches each to its violation."""


def template(resource: PlanResource) -> dict[str, Any]:
    """The app's revision template."""
    return dict(resource.inputs.get("template") or {})


def replicas(resource: PlanResource) -> tuple[int, int]:
    """(min, max) replicas of the app."""
    scale = template(resource).get("scale") or {}
    return int(scale.get("minReplicas", 0)), int(scale.get("maxReplicas", 0))


def probe_path(container: dict[str, Any], kind: str) -> str | None:
    """The HTTP path of the container's `Readiness` / `Liveness` / `Startup` probe, or None."""
    for probe in container.get("probes") or []:
        if probe.get("type") == kind:
            return (probe.get("httpGet") or {}).get("path")
    return None


def name_of(container: dict[str, Any]) -> str:
    """The process a container runs: its args."""
    return " ".join(container.get("args") or ["?"])


def excepted(violation: str, plan: Plan) -> bool:
    """True for a violation this target documents it reads differently (`EXCEPTIONS`)."""
    rule, _, detail = violation.partition(": ")
    if rule != RELEASE_RULE:
        return False
    return any(
        detail == f"{app.urn} is not ordered after the release step"
        and [name_of(c) for c in template(app).get("initContainers") or []] == ["release"]
        for app in plan.of_type(APP)
    )


class AzurePlanView:
    """Reads Container Apps (their containers and init containers) and the stateful services."""

    def processes(self, plan: Plan) -> list[ProcessInstance]:
        found: list[ProcessInstance] = []
        for resource in plan.of_type(APP):
            spec = template(resource)
            supervised = replicas(resource)[0] >= 1
            for c in [*spec.get("initContainers", []), *spec.get("containers", [])]:
                checks = tuple(
                    str(p) for p in (probe_path(c, "Readiness"), probe_path(c, "Liveness")) if p
                )
                found.append(
                    ProcessInstance(
                        process=name_of(c),
                        urn=resource.urn,
                        env_keys=frozenset(str(e.get("name")) for e in c.get("env") or []),
                        health_checks=checks,
                        supervised=supervised,
                    )
                )
        return found

    def stateful(self, plan: Plan) -> list[StatefulResource]:
        return [
            StatefulResource(urn=r.urn, capability=capability, persistent=True)
            for type_token, capability in STATEFUL.items()
            for r in plan.of_type(type_token)
        ]

    def unexplained(self, plan: Plan, found: Iterable[str]) -> list[str]:
        """The violations `EXCEPTIONS` does not account for."""
        return [v for v in found if not excepted(v, plan)]


VIEW = AzurePlanView()
