"""The offline plan as data: every resource the program declared, and the stack outputs.

This is what `trudeploy plan --json` prints, what the golden file holds and what the invariant
checks read, with the shapes a target's plan view (components/<target>/plan_view.py) maps its
resources onto. Secret values never enter it: they are masked when recorded (see
stacks/offline/recorder.py), and the set of secret values seen is kept beside the plan, outside its
JSON, so tests can prove no secret leaked into it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

MASK = "[secret]"


@dataclass
class PlanResource:
    """One registered resource. `dependencies` are the URNs the engine would order it after:
    explicit `depends_on` plus every resource whose output feeds one of its inputs (the SDK computes
    both before registering). `property_dependencies` attributes the implicit ones to inputs."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    id: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]


@dataclass
class Plan:
    """The whole plan of one stack."""

    project: str
    stack: str
    target: str
    env: str
    resources: list[PlanResource]
    outputs: dict[str, Any]
    unsimulated_types: list[str]
    unconstrained_types: list[str] = field(default_factory=list)
    """Types the plan declares that no input constraints cover: what the offline check cannot
    vouch for, listed so a reviewer sees the gap."""
    secret_values: frozenset[str] = field(default_factory=frozenset, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (without `secret_values`, which only tests may see)."""
        data = asdict(self)
        data.pop("secret_values")
        return data

    def to_json(self) -> str:
        """Stable, reviewable JSON: sorted keys, two-space indent, trailing newline."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    def by_urn(self) -> dict[str, PlanResource]:
        """URN -> resource."""
        return {r.urn: r for r in self.resources}

    def of_type(self, type_token: str) -> list[PlanResource]:
        """Every resource of one type, in URN order."""
        return [r for r in self.resources if r.type == type_token]

    def ancestors(self, urn: str) -> list[str]:
        """The parent chain of `urn`, nearest first."""
        index = self.by_urn()
        chain: list[str] = []
        parent = index[urn].parent
        while parent and parent in index:
            chain.append(parent)
            parent = index[parent].parent
        return chain

    def sibling_dependencies(self, urn: str) -> list[str]:
        """Dependencies of `urn` on resources with the same parent: the ordering inside one
        component (release before web, bucket init after MinIO), as a reviewer reads it."""
        index = self.by_urn()
        parent = index[urn].parent
        return [u for u in index[urn].dependencies if u in index and index[u].parent == parent]

    def depends_on(self, urn: str) -> set[str]:
        """Every URN that must exist before `urn`: dependencies, transitively, including
        dependencies on a component (which stand for all of that component's descendants)."""
        index = self.by_urn()
        children: dict[str, list[str]] = {}
        for r in self.resources:
            if r.parent:
                children.setdefault(r.parent, []).append(r.urn)
        seen: set[str] = set()
        stack = list(index[urn].dependencies)
        while stack:
            current = stack.pop()
            if current in seen or current not in index:
                continue
            seen.add(current)
            stack.extend(index[current].dependencies)
            stack.extend(children.get(current, []))
        return seen


@dataclass(frozen=True)
class ProcessInstance:
    """One running copy of a process (a container, a task definition's container, a pod spec)."""

    process: str
    urn: str
    env_keys: frozenset[str]
    health_checks: tuple[str, ...]
    supervised: bool


@dataclass(frozen=True)
class StatefulResource:
    """Something that holds data: a database, cache or bucket (or the container running one)."""

    urn: str
    capability: str
    persistent: bool


class PlanView(Protocol):
    """How a target's resources in a plan map onto the contract's vocabulary."""

    def processes(self, plan: Plan) -> list[ProcessInstance]:
        """Every instance of every process (release, web, worker, beat)."""
        ...

    def stateful(self, plan: Plan) -> list[StatefulResource]:
        """Every data-holding resource, and whether its data survives a replacement."""
        ...
