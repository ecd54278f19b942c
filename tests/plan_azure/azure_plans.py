"""Offline plans of the repository's prod-azure stack and of its variants.

The config is Pulumi.prod-azure.yaml itself with `trudeploy:` keys replaced, written into a
throwaway project, so the tests plan what `pulumi up -s prod-azure` would declare under that change.
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
STACK = "prod-azure"
LOCATION = "westeurope"
DOMAIN = "app.trudeploy.example.com"


def azure_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.prod-azure.yaml's config with `trudeploy:<key>` overrides (None deletes a key)."""
    config = yaml.safe_load((REPO / "Pulumi.prod-azure.yaml").read_text())["config"]
    for key, value in overrides.items():
        full = key if ":" in key else f"trudeploy:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return config


def plan_with(config: dict[str, Any], stack: str = STACK, transform: Any = None) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    root = Path(tempfile.mkdtemp(prefix="trudeploy-azure-plan-"))
    try:
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        return build_plan(stack, root, transform=transform)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@cache
def plan_for(env: str) -> Plan:
    """The prod-azure stack's plan under `env`'s profile (cached: plans are deterministic)."""
    return plan_with(azure_config(env=env))


@cache
def no_domain_plan() -> Plan:
    """The development profile without `trudeploy:domain`: web on its azurecontainerapps.io name."""
    return plan_with(azure_config(env="development", domain=None))


def one(plan: Plan, type_token: str) -> PlanResource:
    """The single resource of a type; fails if there are none or several."""
    found = plan.of_type(type_token)
    assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
    return found[0]
