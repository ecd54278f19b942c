"""`trudeploy preview|up|destroy|outputs -s STACK`: the real engine, after the offline checks.

preview and up first plan the stack offline (stack file, provider constraints, invariants) and
refuse with exit 2, naming the rule and the resource, before any cloud call. destroy and outputs
only validate the stack file: a stack that breaks a rule must still be readable and removable.
Then the Pulumi CLI must be on PATH (exit 2 with how to install it), and the Automation API runs
with the engine's events drawn as progress (cli/progress.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from cli.plan import fail

console = Console()

StackOption = Annotated[
    str, typer.Option("--stack", "-s", help="Stack name: reads Pulumi.<stack>.yaml.")
]
RootOption = Annotated[
    Path | None,
    typer.Option(help="Project directory holding Pulumi.yaml (default: as `trudeploy plan`)."),
]
ShowSecrets = Annotated[
    bool, typer.Option("--show-secrets", help="Print secret outputs instead of [secret].")
]


def _root(root: Path | None) -> Path:
    from cli.project import default_root

    return root or default_root()


def _checked_plan_size(stack: str, root: Path) -> int:
    """Plan offline and refuse on any problem; the number of resources the program declares."""
    from stacks.offline.plans import plan_stack

    result = plan_stack(stack, root)
    problems = [
        *result.errors,
        *result.constraint_violations,
        *(f"Pulumi.{stack}.yaml: invariant {v}" for v in result.broken),
    ]
    if problems:
        raise fail([*problems, "refused before any cloud call (see `trudeploy plan`)"], code=2)
    return len((result.plan or {}).get("resources", []))


def _checked_file(stack: str, root: Path) -> None:
    from stacks.config import ConfigError, load_stack_file, stack_file

    try:
        load_stack_file(stack_file(root, stack))
    except ConfigError as exc:
        raise fail([f"{exc.source}: {e}" for e in exc.errors]) from None


def _require_cli() -> None:
    from stacks.live import PulumiCliMissing, require_cli

    try:
        require_cli()
    except PulumiCliMissing as exc:
        raise fail([str(exc)], code=2) from None


def _outputs_table(values: dict[str, object]) -> Table:
    table = Table("output", "value", title="Stack outputs")
    for key, value in values.items():
        table.add_row(key, escape(str(value)))
    return table


def _drive(operation: str, stack: str, root: Path, total: int | None, show: bool) -> None:
    from pulumi.automation import errors as auto_errors

    from cli.progress import EngineProgress
    from stacks import live

    progress = EngineProgress(total=total)
    with Live(progress.render(), console=console, refresh_per_second=4) as view:

        def on_event(event: object) -> None:
            progress.apply(event)  # type: ignore[arg-type]
            view.update(progress.render())

        try:
            live.run(operation, stack, root, on_event)
        except auto_errors.CommandError as exc:
            lines = progress.errors or [str(exc).strip().splitlines()[-1]]
            raise fail([f"{stack}: {operation} failed: {line}" for line in lines], code=1) from None
    if progress.summary is not None:
        changed = ", ".join(f"{op} {n}" for op, n in sorted(progress.summary.items()))
        console.print(f"[green]{operation} done[/]: {changed or 'no changes'}")
    if operation != "destroy":
        console.print(_outputs_table(live.outputs(stack, root, show)))


def preview(stack: StackOption, root: RootOption = None) -> None:
    """`pulumi preview` of a stack (with the policy pack), after the offline checks pass."""
    where = _root(root)
    total = _checked_plan_size(stack, where)
    _require_cli()
    _drive("preview", stack, where, total, show=False)


def up(stack: StackOption, root: RootOption = None, show_secrets: ShowSecrets = False) -> None:
    """`pulumi up` of a stack (with the policy pack), after the offline checks pass."""
    where = _root(root)
    total = _checked_plan_size(stack, where)
    _require_cli()
    _drive("up", stack, where, total, show=show_secrets)


def destroy(stack: StackOption, root: RootOption = None) -> None:
    """`pulumi destroy` of a stack (production refuses while its resources are protected)."""
    where = _root(root)
    _checked_file(stack, where)
    _require_cli()
    _drive("destroy", stack, where, None, show=False)


def outputs(
    stack: StackOption,
    root: RootOption = None,
    as_json: bool = typer.Option(False, "--json", help="Print the outputs as one JSON object."),
    show_secrets: ShowSecrets = False,
) -> None:
    """The stack's outputs; `--json --show-secrets` is what `trudeploy migrate stack` reads."""
    from stacks import live

    where = _root(root)
    _checked_file(stack, where)
    _require_cli()
    values = live.outputs(stack, where, show_secrets)
    if as_json:
        sys.stdout.write(json.dumps(values, indent=2, sort_keys=True) + "\n")
    else:
        console.print(_outputs_table(values))
