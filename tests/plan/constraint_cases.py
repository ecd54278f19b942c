"""A table-driven harness for provider constraints: each case takes a real plan resource's inputs,
applies a bad edit and a good edit, and expects the bad one (only) to break a named rule.

A case names the rule by a fragment of its text, so deleting that rule from a constraints table
makes its case fail even when another rule on the same input would still catch the bad value; and
`uncovered` lists the rules no case exercises, so a new rule needs a case.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.constraints import Combination, Constraints, Violation, check
from components.simulated import SimArgs
from core.plan import Plan

DELETE = object()
"""An edit value that removes the input."""


@dataclass(frozen=True)
class Case:
    """`bad` edits (path -> value) break the rule at `path` whose text contains `rule`; `good`
    edits (from the same base) satisfy it. `base` picks the plan resource by name suffix."""

    token: str
    path: str
    rule: str
    bad: Mapping[str, Any]
    good: Mapping[str, Any]
    base: str = ""
    id: str = field(default="", compare=False)

    def label(self) -> str:
        return f"{self.token.rsplit(':', 1)[-1]}:{self.path}:{self.id or self.rule[:24]}"


def one(token: str, path: str, rule: str, bad: Any, good: Any, base: str = "") -> Case:
    """A case editing only `path`."""
    return Case(token, path, rule, {path: bad}, {path: good}, base, id=repr(bad)[:30])


def set_path(inputs: dict[str, Any], path: str, value: Any) -> None:
    """Set `a.b`, `list[].x` (first item) or `list[0]` in `inputs`, creating what is missing."""
    head, _, rest = path.partition(".")
    key, bracket, index = head.partition("[")
    if not bracket:
        if not rest:
            if value is DELETE:
                inputs.pop(key, None)
            else:
                inputs[key] = value
            return
        inputs[key] = dict(inputs.get(key) or {})
        set_path(inputs[key], rest, value)
        return
    items = list(inputs.get(key) or [])
    at = int(index.rstrip("]") or 0)
    while len(items) <= at:
        items.append({} if rest else None)
    if rest:
        items[at] = dict(items[at] or {})
        set_path(items[at], rest, value)
    else:
        items[at] = value
    inputs[key] = items


EMPTY = "\0empty"
"""A case `base` that starts from no inputs (its edits give the whole context)."""


def base_inputs(plan: Plan, case: Case) -> tuple[str, dict[str, Any]]:
    """(logical name, inputs) of the plan's first resource of the case's type (by suffix), or
    empty inputs for `base=EMPTY` or a type the plan does not declare."""
    for res in plan.resources:
        if case.base == EMPTY:
            break
        if res.type == case.token and res.name.endswith(case.base):
            return res.name, copy.deepcopy(res.inputs)
    return "test-resource", {}


def normal(path: str) -> str:
    """`rules[0].status (Pulumi autoname...)` -> `rules[].status`."""
    return re.sub(r"\[\d+\]", "[]", path.split(" (", 1)[0])


def violations(spec: Constraints, token: str, name: str, inputs: dict[str, Any]) -> list[Violation]:
    sim = SimArgs(token, name, f"urn:pulumi:test::trudeploy::{token}::{name}", inputs, "t", "p")
    return check(spec, sim)


def matches(case: Case, found: list[Violation]) -> list[Violation]:
    wanted = normal(case.path)
    return [v for v in found if case.rule in v.rule and normal(v.path) in (wanted, case.path)]


def run(case: Case, table: Mapping[str, Constraints], plan: Plan) -> tuple[list, list]:
    """(violations of the case's rule after the bad edits, after the good edits)."""
    spec = table[case.token]
    name, inputs = base_inputs(plan, case)
    results = []
    for edits in (case.bad, case.good):
        edited = copy.deepcopy(inputs)
        for path, value in edits.items():
            set_path(edited, path, value)
        results.append(matches(case, violations(spec, case.token, name, edited)))
    return results[0], results[1]


def rule_ids(table: Mapping[str, Constraints]) -> set[tuple[str, str, str]]:
    """(token, path, rule text) for every rule in a table."""
    ids = set()
    for token, spec in table.items():
        for rule in spec.rules:
            text = rule.rule if isinstance(rule, Combination) else rule.check.describe()
            ids.add((token, rule.path, text))
    return ids


def uncovered(table: Mapping[str, Constraints], cases: list[Case]) -> list[tuple[str, str, str]]:
    """Rules no case names (by token, path and a fragment of the rule text)."""
    return sorted(
        (token, path, text)
        for token, path, text in rule_ids(table)
        if not any(
            c.token == token and normal(c.path) == normal(path) and c.rule in text for c in cases
        )
    )
