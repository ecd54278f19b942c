"""Offline plans of the repository's staging stack (target render) and of its variants.

The config is Pulumi.staging.yaml itself with `trudeploy:` keys replaced, written into a throwaway
project, so the tests plan what `pulumi up -s staging` would declare under that change.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from core.plan import Plan, PlanResource
from tests.stack_plans import ENVS as ENVS  # re-exported for this target's tests
from tests.stack_plans import REPO as REPO
from tests.stack_plans import one as one
from tests.stack_plans import plan_in_project, stack_config

STACK = "staging"
ACCOUNT = "0123456789abcdef0123456789abcdef"
PRIVATE_IMAGE = "ghcr.io/example/trudeploy-app:1.2.3"


def staging_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.staging.yaml's config with `trudeploy:<key>` overrides (None deletes a key)."""
    return stack_config("staging", **overrides)


def plan_with(config: dict[str, Any], stack: str = STACK, transform: Any = None) -> Plan:
    """The offline plan of `config` as stack `stack` in a throwaway project."""
    return plan_in_project(config, stack, transform)


@cache
def plan_for(env: str) -> Plan:
    """The staging stack's plan under `env`'s profile (cached: plans are deterministic)."""
    return plan_with(staging_config(env=env))


def native_config(env: str = "production") -> dict[str, Any]:
    """Everything on Render (Render Postgres, Render Key Value) and media on Cloudflare R2."""
    return staging_config(
        env=env,
        postgres={"provider": "native", "version": 16},
        redis={"provider": "native", "version": 7},
        storage={"provider": "r2", "accountId": ACCOUNT},
        **{"aws:region": None},
    )


@cache
def native_plan(env: str = "production") -> Plan:
    """The all-Render variant (see `native_config`)."""
    return plan_with(native_config(env))


def image_config() -> dict[str, Any]:
    """A prebuilt private image pulled with registry credentials (the token a stack secret)."""
    render = dict(staging_config()["trudeploy:render"])
    render.pop("repo")
    render["registry"] = {"kind": "GITHUB", "username": "deploy-bot"}
    config = staging_config(render=render, app={"image": PRIVATE_IMAGE})
    config["trudeploy:registryToken"] = {"secure": "v1:ciphertext-the-engine-would-decrypt"}
    return config


@cache
def image_plan() -> Plan:
    """The prebuilt-image variant (see `image_config`)."""
    return plan_with(image_config())


def named(plan: Plan, suffix: str, type_token: str | None = None) -> PlanResource:
    """The custom resource whose logical name ends with `suffix` (and of `type_token`)."""
    return next(
        r
        for r in plan.resources
        if r.custom and r.name.endswith(suffix) and type_token in (None, r.type)
    )
