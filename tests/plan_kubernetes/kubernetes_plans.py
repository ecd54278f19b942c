"""Offline plans of the repository's Kubernetes stack (Pulumi.prod-k8s.yaml) and of its variants.

The config is the stack file with `trudeploy:` keys replaced, written into a throwaway project.
Development drops the external object store (and its secrets), so it runs MinIO in the cluster.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from core.plan import Plan, PlanResource
from tests.stack_plans import ENVS as ENVS  # re-exported for this target's tests
from tests.stack_plans import REPO as REPO
from tests.stack_plans import one as one
from tests.stack_plans import plan_in_project, stack_config

STACK = "prod-k8s"
KEY_SECRETS = ("trudeploy:objectStoreAccessKeyId", "trudeploy:objectStoreSecretAccessKey")


def k8s_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.prod-k8s.yaml's config with `trudeploy:<key>` overrides (None deletes a key)."""
    return stack_config("prod-k8s", **overrides)


def env_config(env: str) -> dict[str, Any]:
    """The stack under `env`'s profile; development with MinIO instead of the external store."""
    if env != "development":
        return k8s_config(env=env)
    kube = dict(k8s_config()["trudeploy:kubernetes"])
    kube.pop("objectStore")
    return k8s_config(env=env, kubernetes=kube, **dict.fromkeys(KEY_SECRETS))


def plan_with(config: dict[str, Any], stack: str = STACK) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    return plan_in_project(config, stack)


@cache
def plan_for(env: str) -> Plan:
    """The stack's plan under `env`'s profile (cached: plans are deterministic)."""
    return plan_with(env_config(env))


def kinds(plan: Plan, kind: str) -> list[PlanResource]:
    """Every Kubernetes resource of a kind (`Deployment`, `Cluster`)."""
    return [
        r
        for r in plan.resources
        if r.type.startswith("kubernetes:") and r.type.rsplit(":", 1)[-1] == kind
    ]


def obj(plan: Plan, kind: str, name: str) -> PlanResource:
    """The object of `kind` whose metadata.name is `name`."""
    found = [r for r in kinds(plan, kind) if (r.inputs.get("metadata") or {}).get("name") == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]
