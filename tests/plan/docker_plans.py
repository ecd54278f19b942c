"""Helpers for the docker target's plan tests: one cached plan per env profile, and readers of
a container's inputs (labels, env) as the plan records them."""

from __future__ import annotations

from functools import cache
from typing import Any

from plan_stackfiles import docker_config, project_with_stack

from components import registry
from core.plan import Plan, PlanResource
from stacks.offline.runner import build_plan

ENVS = ("development", "staging", "production")
VIEW = registry.plan_view("docker")
CONTAINER = "docker:index/container:Container"


@cache
def plan_for(env: str) -> Plan:
    """The plan of a docker stack named `t` under `env`'s profile."""
    return build_plan("t", project_with_stack("t", docker_config(env)))


def containers(plan: Plan, process: str) -> list[PlanResource]:
    """The app's containers running `process` (web, worker, beat, release)."""
    by_urn = plan.by_urn()
    return [by_urn[p.urn] for p in VIEW.processes(plan) if p.process == process]


def container(plan: Plan, suffix: str) -> PlanResource:
    """The one container whose resource name ends with `suffix`."""
    (found,) = [r for r in plan.of_type(CONTAINER) if r.name.endswith(suffix)]
    return found


def env_of(res: PlanResource) -> dict[str, str]:
    """A container's env as the plan shows it: plain values, `[secret]` for secret ones."""
    return dict(item.split("=", 1) for item in res.inputs.get("envs", []))


def secret_env(plan: Plan, key: str) -> str:
    """The plaintext of the secret env item `key`, from the values the plan kept out of its JSON
    (`Plan.secret_values`). Every container that gets `key` must get the same value."""
    values = {s.split("=", 1)[1] for s in plan.secret_values if s.startswith(f"{key}=")}
    assert len(values) == 1, f"{key}: expected one secret value, found {len(values)}"
    return values.pop()


def aliases_on(res: PlanResource, network: str) -> list[Any]:
    """The DNS aliases `res` has on `network`."""
    return [
        alias
        for n in res.inputs.get("networksAdvanced", [])
        if n["name"] == network
        for alias in n.get("aliases", [])
    ]
