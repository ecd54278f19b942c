"""How the invariant checks read the AWS target's resources in an offline plan.

A process is an ECS service; its containers, env keys and health checks come from its task
definition's `containerDefinitions` JSON (parsed here). The release step is a container of the web
task definition that web waits on (components/aws/containers.py), so the release instance is that
task definition: web's service can only start after it exists, and inside each task ECS starts web
only once release has exited 0. The web instance's health checks are its container's (live) and
the load balancer target group's (ready).
"""

from __future__ import annotations

import json
from typing import Any

from core.plan import Plan, PlanResource, ProcessInstance, StatefulResource

SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
STATEFUL = {
    "aws:rds/instance:Instance": "postgres",
    "aws:elasticache/replicationGroup:ReplicationGroup": "redis",
    "aws:s3/bucket:Bucket": "storage",
}


def container_definitions(task: PlanResource) -> list[dict[str, Any]]:
    """The task definition's containers; a masked (secret) document reads as none."""
    raw = task.inputs.get("containerDefinitions")
    if not isinstance(raw, str) or not raw.startswith("["):
        return []
    return list(json.loads(raw))


def env_keys(container: dict[str, Any]) -> frozenset[str]:
    """Plain `environment` names plus `secrets` names: the keys the process sees."""
    return frozenset(
        [e["name"] for e in container.get("environment", [])]
        + [s["name"] for s in container.get("secrets", [])]
    )


def _by_arn(plan: Plan, type_token: str) -> dict[str, PlanResource]:
    return {str(r.outputs.get("arn")): r for r in plan.of_type(type_token)}


class AwsPlanView:
    """Reads ECS services, their task definitions and the stateful managed services."""

    def processes(self, plan: Plan) -> list[ProcessInstance]:
        tasks = _by_arn(plan, TASK_DEFINITION)
        groups = _by_arn(plan, TARGET_GROUP)
        found: list[ProcessInstance] = []
        for svc in plan.of_type(SERVICE):
            task = tasks.get(str(svc.inputs.get("taskDefinition")))
            if task is None:
                continue
            for c in container_definitions(task):
                checks = [" ".join(c["healthCheck"]["command"])] if "healthCheck" in c else []
                urn = svc.urn
                if not c.get("essential", True):
                    # the one-shot release container: ordered by the web task definition
                    urn = task.urn
                else:
                    for lb in svc.inputs.get("loadBalancers", []):
                        group = groups.get(str(lb.get("targetGroupArn")))
                        if group is not None and lb.get("containerName") == c["name"]:
                            checks.append(str(group.inputs["healthCheck"].get("path", "")))
                found.append(
                    ProcessInstance(
                        process=str(c["name"]),
                        urn=urn,
                        env_keys=env_keys(c),
                        health_checks=tuple(checks),
                        supervised=c.get("essential", True)
                        and svc.inputs.get("desiredCount", 0) > 0,
                    )
                )
        return found

    def stateful(self, plan: Plan) -> list[StatefulResource]:
        return [
            StatefulResource(urn=r.urn, capability=capability, persistent=True)
            for type_token, capability in STATEFUL.items()
            for r in plan.of_type(type_token)
        ]


VIEW = AwsPlanView()
