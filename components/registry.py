"""Target name -> package, imported lazily so a stack pays only for the provider SDK it uses.

Adding a cloud: fill `components/<name>/` (exporting `Target`, and optionally `simulated`,
`constraints` and `plan_view` modules) — this table already names every target, so nothing here
changes. A package that does not yet export `Target` reports "not available yet" instead of
failing half-way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from components.contract import BaseTarget, TargetNotAvailable
from core.vocabulary import TargetName

PACKAGES: dict[TargetName, str] = {name: f"components.{name.value}" for name in TargetName}


def _package(name: TargetName | str) -> ModuleType:
    try:
        target = TargetName(name)
    except ValueError:
        allowed = ", ".join(t.value for t in TargetName)
        raise TargetNotAvailable(f"unknown target {name!r}; allowed: {allowed}") from None
    return importlib.import_module(PACKAGES[target])


def load_target(name: TargetName | str) -> type[BaseTarget]:
    """The target's `Target` class; importing it imports that target's provider SDK, and only it."""
    package = _package(name)
    cls = getattr(package, "Target", None)
    if cls is None:
        raise TargetNotAvailable(
            f"target {name} not available yet: components/{name}/ does not fill the contract "
            "(no `Target` exported)"
        )
    return cls


def _submodule(name: TargetName | str, module: str) -> ModuleType | None:
    package = _package(name)
    qualified = f"{package.__name__}.{module}"
    try:
        return importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return None
        raise


def simulated_rules(name: TargetName | str) -> dict[str, Callable[..., dict[str, Any]]]:
    """The target's computed-output rules for the offline plan (`<target>/simulated.py`)."""
    module = _submodule(name, "simulated")
    return dict(getattr(module, "RULES", {})) if module else {}


def constraints(name: TargetName | str) -> dict[str, Any]:
    """The target's provider input constraints for the offline plan (`<target>/constraints.py`,
    `CONSTRAINTS`: type token -> `components.constraints.Constraints`)."""
    module = _submodule(name, "constraints")
    return dict(getattr(module, "CONSTRAINTS", {})) if module else {}


def plan_view(name: TargetName | str) -> Any:
    """The target's reader of its own resources in a plan (`components/<name>/plan_view.py`)."""
    module = _submodule(name, "plan_view")
    view = getattr(module, "VIEW", None) if module else None
    if view is None:
        raise TargetNotAvailable(f"target {name} has no plan view (components/{name}/plan_view.py)")
    return view
