"""Offline plans of the repository's prod-azure stack and of its variants.

The config is Pulumi.prod-azure.yaml itself with `trudeploy:` keys replaced, written into a
throwaway project, so the tests plan what `pulumi up -s prod-azure` would declare under that change.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from core.plan import Plan
from tests.stack_plans import ENVS as ENVS  # re-exported for this target's tests
from tests.stack_plans import REPO as REPO
from tests.stack_plans import one as one
from tests.stack_plans import plan_in_project, stack_config

STACK = "prod-azure"
LOCATION = "westeurope"
DOMAIN = "app.trudeploy.example.com"


def azure_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.prod-azure.yaml's config with `trudeploy:<key>` overrides (None deletes a key)."""
    return stack_config("prod-azure", **overrides)


def plan_with(config: dict[str, Any], stack: str = STACK, transform: Any = None) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    return plan_in_project(config, stack, transform)


@cache
def plan_for(env: str) -> Plan:
    """The prod-azure stack's plan under `env`'s profile (cached: plans are deterministic)."""
    return plan_with(azure_config(env=env))


@cache
def no_domain_plan() -> Plan:
    """The development profile without `trudeploy:domain`: web on its azurecontainerapps.io name."""
    return plan_with(azure_config(env="development", domain=None))
