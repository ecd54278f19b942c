"""The layers import downwards only: core <- components <- stacks <- cli.

A target package that reached into `stacks/` would know stack files, and `stacks/` importing a
target's internals would make adding a cloud more than adding a folder (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.vocabulary import TargetName

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "core": ("stacks", "components", "cli", "migrate"),
    "components": ("stacks", "cli", "migrate"),
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_below_itself(package: str) -> None:
    offending = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in sorted((REPO / package).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FORBIDDEN[package]
    ]
    assert offending == []


def test_the_check_sees_a_planted_upward_import(tmp_path: Path) -> None:
    planted = tmp_path / "plan_view.py"
    planted.write_text("def f():\n    from stacks.offline.invariants import X\n")
    assert "stacks.offline.invariants" in imported_modules(planted)


def test_stacks_and_cli_reach_targets_only_through_the_registry() -> None:
    """Adding a cloud is adding a folder: nothing above components/ names a target's modules."""
    targets = {f"components.{t.value}" for t in TargetName}
    offending = [
        f"{path.relative_to(REPO)} imports {module}"
        for package in ("stacks", "cli")
        for path in sorted((REPO / package).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if any(module == t or module.startswith(f"{t}.") for t in targets)
    ]
    assert offending == []
