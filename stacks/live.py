"""The real engine, driven through the Pulumi Automation API on this repository's project.

`trudeploy preview|up|destroy|outputs` (cli/live.py) come here only after the offline checks
passed. The Automation API runs the Pulumi CLI underneath (a LocalWorkspace on the project
directory, so `Pulumi.yaml`, the stack files and the `.venv` runtime are the ones `pulumi up`
would use); without the CLI on PATH nothing here can work, so `require_cli` says so first.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.plan import MASK

INSTALL_HINT = (
    "the Pulumi CLI is not on PATH; install it with `curl -fsSL https://get.pulumi.com | sh` "
    "(or see https://www.pulumi.com/docs/install/) and open a new shell"
)


class PulumiCliMissing(RuntimeError):
    """No `pulumi` executable on PATH."""


def require_cli() -> str:
    """The CLI's path, or PulumiCliMissing with how to install it."""
    path = shutil.which("pulumi")
    if path is None:
        raise PulumiCliMissing(INSTALL_HINT)
    return path


def policy_packs(root: Path) -> list[str]:
    """The project's policy pack (policy/), enforced on every preview and up."""
    pack = root / "policy"
    return [str(pack)] if (pack / "PulumiPolicy.yaml").is_file() else []


def select_stack(stack: str, root: Path) -> Any:
    """Select the stack in the project at `root`, creating it when the backend has none."""
    from pulumi import automation as auto

    return auto.create_or_select_stack(stack_name=stack, work_dir=str(root))


def run(operation: str, stack: str, root: Path, on_event: Callable[[Any], None]) -> Any:
    """`preview`, `up` or `destroy` on the stack, streaming engine events to `on_event`."""
    selected = select_stack(stack, root)
    if operation == "preview":
        return selected.preview(on_event=on_event, policy_packs=policy_packs(root))
    if operation == "up":
        return selected.up(on_event=on_event, policy_packs=policy_packs(root))
    if operation == "destroy":
        return selected.destroy(on_event=on_event)
    raise ValueError(f"unknown operation {operation!r}; allowed: preview, up, destroy")


def shown_outputs(outputs: dict[str, Any], show_secrets: bool) -> dict[str, Any]:
    """Stack outputs (name -> OutputValue) as plain values, secrets masked unless asked for."""
    return {
        name: out.value if show_secrets or not out.secret else MASK
        for name, out in sorted(outputs.items())
    }


def outputs(stack: str, root: Path, show_secrets: bool) -> dict[str, Any]:
    """The stack's current outputs."""
    return shown_outputs(select_stack(stack, root).outputs(), show_secrets)
