"""Offline plans of the repository's stack files and of variants of them, for every target's
tests: the stack file's config with `trudeploy:` keys replaced, planned in a throwaway project, so
a test plans exactly what `pulumi up` would declare under that change."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from core.plan import Plan, PlanResource
from stacks.offline.runner import build_plan

REPO = Path(__file__).resolve().parents[1]
ENVS = ("development", "staging", "production")


def stack_config(stack: str, **overrides: Any) -> dict[str, Any]:
    """Pulumi.<stack>.yaml's config with overrides: `key` means `trudeploy:key`, a key with a
    namespace (`aws:region`) is taken as written, and None deletes the key."""
    config = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
    for key, value in overrides.items():
        full = key if ":" in key else f"trudeploy:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return config


def plan_in_project(config: dict[str, Any], stack: str, transform: Any = None) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    root = Path(tempfile.mkdtemp(prefix=f"trudeploy-{stack}-plan-"))
    try:
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        return build_plan(stack, root, transform=transform)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def one(plan: Plan, type_token: str) -> PlanResource:
    """The single resource of a type; fails if there are none or several."""
    found = plan.of_type(type_token)
    assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
    return found[0]
