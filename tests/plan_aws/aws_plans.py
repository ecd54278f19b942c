"""Offline plans of the repository's prod stack (target aws) under each env profile.

The config is Pulumi.prod.yaml itself with only `trudeploy:env` replaced, written into a throwaway
project, so the tests plan exactly what `pulumi up -s prod` would declare under that profile.
"""

from __future__ import annotations

import json
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
STACK = "prod"


def prod_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.prod.yaml's config with `trudeploy:<key>` overrides (None deletes a key)."""
    config = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
    for key, value in overrides.items():
        if value is None:
            config.pop(f"trudeploy:{key}", None)
        else:
            config[f"trudeploy:{key}"] = value
    return config


def plan_with(config: dict[str, Any], stack: str = STACK) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    root = Path(tempfile.mkdtemp(prefix="trudeploy-aws-plan-"))
    try:
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        return build_plan(stack, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@cache
def plan_for(env: str) -> Plan:
    """The prod stack's plan under `env`'s profile (cached: plans are deterministic)."""
    return plan_with(prod_config(env=env))


def one(plan: Plan, type_token: str) -> PlanResource:
    """The single resource of a type; fails if there are none or several."""
    found = plan.of_type(type_token)
    assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
    return found[0]


def containers(task: PlanResource) -> dict[str, dict[str, Any]]:
    """A task definition's container definitions by name."""
    return {c["name"]: c for c in json.loads(task.inputs["containerDefinitions"])}
