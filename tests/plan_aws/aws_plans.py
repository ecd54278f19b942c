"""Offline plans of the repository's prod stack (target aws) under each env profile.

The config is Pulumi.prod.yaml itself with only `trudeploy:env` replaced, written into a throwaway
project, so the tests plan exactly what `pulumi up -s prod` would declare under that profile.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from core.plan import Plan, PlanResource
from tests.stack_plans import ENVS as ENVS  # re-exported for this target's tests
from tests.stack_plans import REPO as REPO
from tests.stack_plans import one as one
from tests.stack_plans import plan_in_project, stack_config

STACK = "prod"


def prod_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.prod.yaml's config with `trudeploy:<key>` overrides (None deletes a key)."""
    return stack_config("prod", **overrides)


def plan_with(config: dict[str, Any], stack: str = STACK) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    return plan_in_project(config, stack)


@cache
def plan_for(env: str) -> Plan:
    """The prod stack's plan under `env`'s profile (cached: plans are deterministic)."""
    return plan_with(prod_config(env=env))


def containers(task: PlanResource) -> dict[str, dict[str, Any]]:
    """A task definition's container definitions by name."""
    return {c["name"]: c for c in json.loads(task.inputs["containerDefinitions"])}
