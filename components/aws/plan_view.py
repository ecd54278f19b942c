"""How the invariant checks read the AWS target's resources in an offline plan.

A process is an ECS service; its containers, env keys and health checks come from its task
definition's `containerDefinitions` JSON (parsed here). The release step is a container of the web
task definition that web waits on (components/aws/containers.py), so the release instance is that
task definition: web's service can only start after it exists, and inside each task ECS starts web
only once release has exited 0. The web instance's health checks are its container's (live) and
the load balancer target group's (ready).

"Persistent" means what it means for the docker target's volume: the data outlives the thing that
serves it (a failed node or instance, a restart, a replacement by the provider), decided by the
inputs that control it, not by the resource type:
- RDS: allocated storage, and automated backups kept at least a day (a lost single-AZ instance
  comes back from them; `backup_retention_period` 0 switches them off);
- ElastiCache: a replica with automatic failover, or daily snapshots
  (`snapshot_retention_limit` >= 1); one node without snapshots loses everything with the node;
- S3: durable by design, unless a lifecycle rule expires the current objects of the whole
  bucket. Log buckets (tag `purpose: audit-logs`) expire on purpose and are not the service's
  storage.
Destroying a stack is a separate question (INVARIANTS D4/O5, tests/plan_aws/aws_checks.py).
"""

from __future__ import annotations

import json
from typing import Any

from core.plan import Plan, PlanResource, ProcessInstance, StatefulResource

SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RDS = "aws:rds/instance:Instance"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOG_PURPOSE = ("purpose", "audit-logs")


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
        found = [
            StatefulResource(urn=r.urn, capability="postgres", persistent=_rds_persists(r))
            for r in plan.of_type(RDS)
        ]
        found += [
            StatefulResource(urn=r.urn, capability="redis", persistent=_cache_persists(r))
            for r in plan.of_type(CACHE)
        ]
        expiring = {
            str(lc.inputs.get("bucket"))
            for lc in plan.of_type(LIFECYCLE)
            if any(_expires_everything(rule) for rule in lc.inputs.get("rules", []))
        }
        found += [
            StatefulResource(urn=r.urn, capability="storage", persistent=r.id not in expiring)
            for r in plan.of_type(BUCKET)
            if (r.inputs.get("tags") or {}).get(LOG_PURPOSE[0]) != LOG_PURPOSE[1]
        ]
        return found


def _rds_persists(r: PlanResource) -> bool:
    i = r.inputs
    return int(i.get("allocatedStorage") or 0) > 0 and int(i.get("backupRetentionPeriod") or 0) >= 1


def _cache_persists(r: PlanResource) -> bool:
    i = r.inputs
    replicated = int(i.get("numCacheClusters") or 1) >= 2 and i.get("automaticFailoverEnabled")
    return bool(replicated) or int(i.get("snapshotRetentionLimit") or 0) >= 1


def _expires_everything(rule: dict[str, Any]) -> bool:
    """An enabled rule that deletes current objects, on the whole bucket (no prefix or tag)."""
    expiration = rule.get("expiration") or {}
    scope = rule.get("filter") or {}
    whole = not scope.get("prefix") and not scope.get("tag") and not scope.get("and")
    current = expiration.get("days") or expiration.get("date")
    return rule.get("status") == "Enabled" and bool(current) and whole


VIEW = AwsPlanView()
