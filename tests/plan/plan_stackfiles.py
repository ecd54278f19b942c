"""Helpers for plan tests: a throwaway project directory holding one stack file."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]


def project_with_stack(stack: str, config: dict[str, Any], root: Path | None = None) -> Path:
    """A directory with the repo's Pulumi.yaml and `Pulumi.<stack>.yaml` holding `config`."""
    root = root or Path(tempfile.mkdtemp(prefix="trudeploy-plan-"))
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return root


def docker_config(env: str, **extra: Any) -> dict[str, Any]:
    """A docker-target stack config for `env`, plus any `trudeploy:` keys in `extra`."""
    return {
        "trudeploy:env": env,
        "trudeploy:target": "docker",
        **{f"trudeploy:{k}": v for k, v in extra.items()},
    }
