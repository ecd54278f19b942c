"""Every stack's offline plan in one process, as one JSON document (`trudeploy plan --all --json`).

A pull request is judged on the difference between two of these documents (base and head), so a
stack that cannot be planned is recorded with its errors rather than stopping the run: the diff
must show that a change broke the `prod` stack even when `dev` still plans. Each entry carries what
the single-stack command would have reported: the plan, the invariant results (broken and
documented exceptions) and the inputs a provider would refuse.

Plans run one after another in this process; `build_plan` gives each its own context, and a
target's provider SDK is imported by the first stack that selects it, so every further stack on
that target pays only for declaring and simulating its resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "trudeploy-plans/1"
"""Bumped when an entry's shape changes, so a diff never reads a document it misunderstands."""


@dataclass
class StackResult:
    """One stack's outcome. `plan` is None when the stack could not be planned (`errors`) or the
    provider would refuse its inputs (`constraint_violations`)."""

    stack: str
    target: str | None = None
    plan: dict[str, Any] | None = None
    broken: list[str] = field(default_factory=list)
    excused: list[str] = field(default_factory=list)
    constraint_violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """What `trudeploy plan -s STACK` exits with: 2 bad input, 1 violation, 0 clean."""
        if self.errors:
            return 2
        return 1 if self.broken or self.constraint_violations else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "plan": self.plan,
            "invariants": {"broken": self.broken, "excused": self.excused},
            "constraint_violations": self.constraint_violations,
            "errors": self.errors,
        }


def stack_names(root: Path) -> list[str]:
    """The stacks of a project: one per `Pulumi.<stack>.yaml`, sorted."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def plan_stack(stack: str, root: Path) -> StackResult:
    """Plan one stack and judge it, turning every expected failure into data."""
    from components import registry
    from components.constraints import ConstraintViolations
    from components.contract import TargetNotAvailable
    from stacks.config import ConfigError
    from stacks.offline import invariants
    from stacks.offline.runner import build_plan

    result = StackResult(stack)
    try:
        plan = build_plan(stack, root)
    except ConfigError as exc:
        result.errors = [f"{exc.source}: {e}" for e in exc.errors]
        return result
    except TargetNotAvailable as exc:
        result.errors = [f"Pulumi.{stack}.yaml: {exc}"]
        return result
    except ConstraintViolations as exc:
        result.constraint_violations = [
            f"Pulumi.{stack}.yaml: provider would refuse {v.line()}" for v in exc.violations
        ]
        return result
    result.target = plan.target
    result.plan = plan.to_dict()
    result.broken, result.excused = invariants.judged(plan, registry.plan_view(plan.target))
    return result


def plan_all(root: Path) -> list[StackResult]:
    """Every stack of the project, planned in this process."""
    return [plan_stack(stack, root) for stack in stack_names(root)]


def document(results: list[StackResult]) -> dict[str, Any]:
    """The JSON document `plan diff` reads."""
    return {"format": FORMAT, "stacks": {r.stack: r.to_dict() for r in results}}
