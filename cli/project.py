"""Which project a command works on when `--root` is not given."""

from __future__ import annotations

from pathlib import Path

INSTALLED_PROJECT = Path(__file__).resolve().parent.parent
"""The project this toolkit was installed from (the repository holding its stack files)."""


def default_root() -> Path:
    """The current directory's project when it has a `Pulumi.yaml`, as `pulumi` itself would
    pick; otherwise the project the toolkit was installed from."""
    here = Path.cwd()
    return here if (here / "Pulumi.yaml").is_file() else INSTALLED_PROJECT
