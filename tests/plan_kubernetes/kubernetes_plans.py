"""Offline plans of the repository's Kubernetes stack (Pulumi.prod-k8s.yaml) and of its variants.

The config is the stack file with `trudeploy:` keys replaced, written into a throwaway project.
Development drops the external object store (and its secrets), so it runs MinIO in the cluster.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from core.plan import Plan, PlanResource
from stacks.offline.runner import build_plan

REPO = Path(__file__).resolve().parents[2]
ENVS = ("development", "staging", "production")
STACK = "prod-k8s"
KEY_SECRETS = ("trudeploy:objectStoreAccessKeyId", "trudeploy:objectStoreSecretAccessKey")


def k8s_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.prod-k8s.yaml's config with `trudeploy:<key>` overrides (None deletes a key)."""
    config = yaml.safe_load((REPO / f"Pulumi.{STACK}.yaml").read_text())["config"]
    for key, value in overrides.items():
        full = key if ":" in key else f"trudeploy:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return config


def env_config(env: str) -> dict[str, Any]:
    """The stack under `env`'s profile; development with MinIO instead of the external store."""
    if env != "development":
        return k8s_config(env=env)
    kube = dict(k8s_config()["trudeploy:kubernetes"])
    kube.pop("objectStore")
    return k8s_config(env=env, kubernetes=kube, **dict.fromkeys(KEY_SECRETS))


def plan_with(config: dict[str, Any], stack: str = STACK) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    root = Path(tempfile.mkdtemp(prefix="trudeploy-k8s-plan-"))
    try:
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        return build_plan(stack, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


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
