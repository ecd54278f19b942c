"""How the invariant checks read the docker target's resources in an offline plan.

Processes and stateful services are containers, told apart by the labels this target sets
(`trudeploy.role`, `trudeploy.process`, `trudeploy.capability`); env keys are the `KEY=` prefixes
of the container's `envs` (which the plan keeps even when the values are masked).
"""

from __future__ import annotations

from components.docker.common import PROCESS_LABEL, ROLE_LABEL
from core.plan import Plan, PlanResource, ProcessInstance, StatefulResource

CONTAINER = "docker:index/container:Container"


def _labels(resource: PlanResource) -> dict[str, str]:
    return {item["label"]: item["value"] for item in resource.inputs.get("labels", [])}


def _health(resource: PlanResource) -> tuple[str, ...]:
    check = resource.inputs.get("healthcheck") or {}
    return (" ".join(check.get("tests", [])),) if check else ()


class DockerPlanView:
    """Reads containers by label."""

    def processes(self, plan: Plan) -> list[ProcessInstance]:
        found = []
        for res in plan.of_type(CONTAINER):
            labels = _labels(res)
            if labels.get(ROLE_LABEL) != "app":
                continue
            envs = res.inputs.get("envs", [])
            found.append(
                ProcessInstance(
                    process=labels.get(PROCESS_LABEL, "?"),
                    urn=res.urn,
                    env_keys=frozenset(e.split("=", 1)[0] for e in envs),
                    health_checks=_health(res),
                    supervised=res.inputs.get("restart") in {"always", "unless-stopped"},
                )
            )
        return found

    def stateful(self, plan: Plan) -> list[StatefulResource]:
        return [
            StatefulResource(
                urn=res.urn,
                capability=_labels(res).get("trudeploy.capability", "?"),
                persistent=any(v.get("volumeName") for v in res.inputs.get("volumes", [])),
            )
            for res in plan.of_type(CONTAINER)
            if _labels(res).get(ROLE_LABEL) == "stateful"
        ]


VIEW = DockerPlanView()
