"""Run the real Pulumi program in-process under Pulumi's mock runtime and return its Plan.

Driven the way `pulumi.runtime.test` drives a program (`set_mocks`, then `run_pulumi_func`), not
through `run_in_stack`, which hung under mocks in the design probe. Each plan runs in a fresh
`contextvars.Context`, because Pulumi keeps its settings, root stack and config in context
variables: two plans in one process (tests, the bench) cannot see each other's state.

The stack file is validated first, so a bad file fails before the runtime is touched. Its config is
fed to the program exactly as the engine would (strings, objects JSON-encoded, secret keys listed).
Secure values cannot be decrypted here, so each becomes a deterministic placeholder secret.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.settings import SETTINGS, get_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components import registry
from components.constraints import CONSTRAINTS as COMMON_CONSTRAINTS
from components.constraints import ConstraintViolations
from components.contract import ChildTransform
from components.simulated import RULES as COMMON_RULES
from core.plan import Plan
from stacks.config import StackConfig, load_stack_file, stack_file
from stacks.offline.recorder import RecordingMonitor, SimulatedCloud, mask

REPO_ROOT = Path(__file__).resolve().parents[2]


def project_name(root: Path) -> str:
    """The project name from `Pulumi.yaml`."""
    return str(yaml.safe_load((root / "Pulumi.yaml").read_text())["name"])


def engine_config(path: Path, stack: str) -> tuple[dict[str, str], list[str], set[str]]:
    """The stack file's config as the engine hands it to a program: (values, secret keys,
    placeholder secret values)."""
    raw = yaml.safe_load(path.read_text())["config"]
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    placeholders: set[str] = set()
    for key, value in raw.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            token = hashlib.sha256(f"{stack}|{key}".encode()).hexdigest()[:32]
            value = f"offline-secret-{token}"
            secret_keys.append(key)
            placeholders.add(value)
        values[key] = value if isinstance(value, str) else json.dumps(value)
    return values, secret_keys, placeholders


async def _resolve_outputs(outputs: dict[str, Any], repo_root: str) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for name, value in sorted(outputs.items()):
        out = pulumi.Output.from_input(value)
        plain = await out.future()
        resolved[name] = mask(plain, repo_root, secret=await out.is_secret())
    return resolved


def _run(config: StackConfig, stack: str, root: Path, transform: ChildTransform | None) -> Plan:
    from stacks import program

    project = project_name(root)
    values, secret_keys, placeholders = engine_config(stack_file(root, stack), stack)
    rules = {**COMMON_RULES, **registry.simulated_rules(config.target)}
    constraints = {**COMMON_CONSTRAINTS, **registry.constraints(config.target)}
    cloud = SimulatedCloud(rules, project, stack, values, constraints)
    monitor = RecordingMonitor(cloud, str(REPO_ROOT))
    pulumi.runtime.set_mocks(cloud, project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(values, secret_keys)
    SETTINGS.outputs.clear()
    _sync_await(run_pulumi_func(functools.partial(program.run, transform)))
    root_resource = get_root_resource()
    exported = root_resource.outputs if root_resource is not None else {}
    outputs = _sync_await(_resolve_outputs(exported, str(REPO_ROOT)))
    if cloud.book.violations:
        raise ConstraintViolations(cloud.book.violations)
    return Plan(
        project=project,
        stack=stack,
        target=config.target.value,
        env=config.env.value,
        resources=[monitor.records[urn] for urn in sorted(monitor.records)],
        outputs=outputs,
        unsimulated_types=sorted(cloud.unsimulated),
        unconstrained_types=sorted(cloud.book.unconstrained),
        secret_values=frozenset(cloud.secret_values | placeholders),
    )


def build_plan(stack: str, root: Path = REPO_ROOT, transform: ChildTransform | None = None) -> Plan:
    """The offline plan of `<root>/Pulumi.<stack>.yaml`. Raises ConfigError for a bad file,
    TargetNotAvailable for a target (or override) without an implementation, and
    ConstraintViolations when an input breaks its provider's documented constraints (what
    `pulumi up` would have the provider refuse). `transform` is
    handed to the program's components, as `pulumi up` could."""
    config = load_stack_file(stack_file(root, stack))
    registry.load_target(config.target)
    return contextvars.Context().run(_run, config, stack, root, transform)
