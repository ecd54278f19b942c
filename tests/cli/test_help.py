"""Every command and subcommand renders its --help: a newcomer's first step must never crash."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from cli.main import app


def command_paths() -> list[tuple[str, ...]]:
    """Every command path of the CLI, the root included, found by walking click's tree."""
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        # groups have `commands` (typer may ship its own click, so no isinstance on click.Group)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(root, ())
    return paths


PATHS = command_paths()


def test_the_walk_finds_every_group_and_command() -> None:
    assert {("plan",), ("validate",), ("dev",), ("migrate", "storage")} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "trudeploy")
def test_help_renders(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # flags are shown as flags, not as options taking a value
    assert "<bool>" not in result.output
