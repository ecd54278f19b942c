"""The difference between two `trudeploy plan --all --json` documents (base and head of a change).

Per stack: resources added, removed and changed (by URN), each change with its input paths (old ->
new), "replace" where a changed input forces one (components/replacements.py), and the head's
invariant violations, documented exceptions, refused inputs, planning errors and unsimulated types.
Values come from the plan JSON, where secrets are already `[secret]`; a value that is masked on
either side is shown as `[secret]`. Two masked values look alike, so a secret that changes while
staying secret is not visible offline (`pulumi preview` shows it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.replacements import forces_replacement
from core.plan import MASK
from stacks.offline.plans import FORMAT


class PlanDocumentError(ValueError):
    """A file that is not a `plan --all --json` document; names the file and what is wrong."""


@dataclass(frozen=True)
class InputChange:
    path: str
    old: Any
    new: Any
    replaces: bool


@dataclass
class ResourceChange:
    urn: str
    type: str
    name: str
    inputs: list[InputChange]

    @property
    def replaced(self) -> bool:
        return any(c.replaces for c in self.inputs)


@dataclass
class StackDiff:
    stack: str
    status: str
    """`added`, `removed` or `kept` (the stack file exists on both sides)."""
    target: str | None
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    new_violations: set[str] = field(default_factory=set)
    excused: list[str] = field(default_factory=list)
    unsimulated: list[str] = field(default_factory=list)

    @property
    def replaced(self) -> list[ResourceChange]:
        return [c for c in self.changed if c.replaced]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.status != "kept")


@dataclass
class PlanDiff:
    stacks: list[StackDiff]

    @property
    def violations(self) -> int:
        return sum(len(s.violations) for s in self.stacks)


def load_document(path: Path) -> dict[str, Any]:
    """Read and check one plans document."""
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise PlanDocumentError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise PlanDocumentError(f"{path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise PlanDocumentError(
            f"{path}: format is {found!r}, expected {FORMAT!r} "
            "(the output of `trudeploy plan --all --json`)"
        )
    if not isinstance(doc.get("stacks"), dict):
        raise PlanDocumentError(f"{path}: `stacks` must be an object of stack name -> entry")
    return doc


def _masked(value: Any) -> bool:
    return isinstance(value, str) and MASK in value


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    """Leaves by dotted path; lists by index (`envs[3]`)."""
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            _flatten(sub, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list) and value:
        for i, sub in enumerate(value):
            _flatten(sub, f"{path}[{i}]", out)
    else:
        out[path] = value


def _top_key(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def input_changes(type_token: str, old: dict[str, Any], new: dict[str, Any]) -> list[InputChange]:
    """Changed leaves of a resource's inputs, secrets shown as `[secret]`."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten(old, "", before)
    _flatten(new, "", after)
    missing = object()
    changes = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path, missing), after.get(path, missing)
        if a == b:
            continue
        shown_a = None if a is missing else (MASK if _masked(a) else a)
        shown_b = None if b is missing else (MASK if _masked(b) else b)
        changes.append(
            InputChange(path, shown_a, shown_b, forces_replacement(type_token, _top_key(path)))
        )
    return changes


def _resources(entry: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    plan = (entry or {}).get("plan") or {}
    return {r["urn"]: r for r in plan.get("resources", []) if r.get("custom")}


def _violations(entry: dict[str, Any]) -> list[str]:
    return [
        *entry.get("errors", []),
        *entry.get("constraint_violations", []),
        *(f"invariant {v}" for v in entry.get("invariants", {}).get("broken", [])),
    ]


def diff_stack(stack: str, base: dict[str, Any] | None, head: dict[str, Any] | None) -> StackDiff:
    """One stack's difference; `base` or `head` is None when the stack file is new or gone."""
    status = "added" if base is None else "removed" if head is None else "kept"
    current = head or {}
    result = StackDiff(stack, status, current.get("target") or (base or {}).get("target"))
    old, new = _resources(base), _resources(head)
    result.added = [(new[u]["type"], new[u]["name"]) for u in sorted(new.keys() - old.keys())]
    result.removed = [(old[u]["type"], old[u]["name"]) for u in sorted(old.keys() - new.keys())]
    for urn in sorted(old.keys() & new.keys()):
        changes = input_changes(new[urn]["type"], old[urn]["inputs"], new[urn]["inputs"])
        if changes:
            result.changed.append(ResourceChange(urn, new[urn]["type"], new[urn]["name"], changes))
    result.violations = _violations(current)
    result.new_violations = set(result.violations) - set(_violations(base or {}))
    result.excused = list(current.get("invariants", {}).get("excused", []))
    result.unsimulated = list(((current.get("plan") or {}).get("unsimulated_types")) or [])
    return result


def diff_documents(base: dict[str, Any], head: dict[str, Any]) -> PlanDiff:
    """Every stack named on either side, in name order."""
    names = sorted(set(base["stacks"]) | set(head["stacks"]))
    return PlanDiff([diff_stack(n, base["stacks"].get(n), head["stacks"].get(n)) for n in names])
