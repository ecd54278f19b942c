"""The plan tree names each dependency unambiguously."""

from __future__ import annotations

from rich.console import Console

from cli.plan import render_tree
from stacks.offline.runner import build_plan


def test_a_dependency_whose_name_repeats_is_named_with_its_type() -> None:
    console = Console(record=True, width=400)
    console.print(render_tree(build_plan("prod")))
    lines = console.export_text().splitlines()
    beat = next(line for line in lines if "trudeploy-prod-app-beat Service" in line)
    # beat's service and its task definition share a name: the type tells them apart
    assert "TaskDefinition trudeploy-prod-app-beat" in beat
    # a unique name stays short
    assert "after trudeploy-prod-app-cluster" in beat
