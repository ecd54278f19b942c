"""`trudeploy plan`: the offline plan of one stack (no Pulumi CLI, engine, Docker or cloud)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

if TYPE_CHECKING:
    from core.plan import Plan, PlanResource

console = Console()
errors = Console(stderr=True)


def fail(lines: list[str], code: int = 2) -> typer.Exit:
    """Print error messages (one per line, no traceback) and return the exit (2: bad input)."""
    for line in lines:
        errors.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=code)


def _label(res: PlanResource) -> str:
    kind = "component" if not res.custom else res.type.split(":")[0]
    short = res.type.rsplit(":", 1)[-1]
    return f"[bold]{res.name}[/] [dim]{short} ({kind})[/]"


def render_tree(plan: Plan) -> Tree:
    """Resources nested by parent, children in URN order."""
    children: dict[str | None, list[PlanResource]] = {}
    for res in sorted(plan.resources, key=lambda r: (r.custom, r.name)):
        children.setdefault(res.parent, []).append(res)
    roots = [r for r in plan.resources if r.parent is None]
    index = plan.by_urn()
    repeated = {n for n, k in Counter(r.name for r in plan.resources).items() if k > 1}

    def dep_label(urn: str) -> str:
        """A dependency by name, with its type where several resources share the name (a
        service and its task definition), so a reviewer can tell which one is meant."""
        dep = index[urn]
        short = dep.type.rsplit(":", 1)[-1]
        return f"{short} {dep.name}" if dep.name in repeated else dep.name

    tree = Tree(f"[bold cyan]{plan.project}/{plan.stack}[/] target={plan.target} env={plan.env}")

    def add(node: Tree, res: PlanResource) -> None:
        for child in children.get(res.urn, []):
            label = _label(child)
            after = [dep_label(u) for u in plan.sibling_dependencies(child.urn)]
            if after:
                label += f" [yellow]after {', '.join(after)}[/]"
            add(node.add(label), child)

    for root in roots:
        add(tree, root)
    return tree


def _outputs_table(outputs: dict[str, Any]) -> Table:
    table = Table("output", "value", title="Stack outputs")
    for key, value in outputs.items():
        table.add_row(key, escape(str(value)))
    return table


def plan(
    stack: str = typer.Option(..., "--stack", "-s", help="Stack name: reads Pulumi.<stack>.yaml."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
    root: Annotated[
        Path | None,
        typer.Option(
            help="Project directory holding Pulumi.yaml "
            "(default: the current directory if it has one, else the installed project)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show what `pulumi up` would declare for a stack, computed offline."""
    from cli.project import default_root
    from components.constraints import ConstraintViolations
    from components.contract import TargetNotAvailable
    from stacks.config import ConfigError
    from stacks.offline.runner import build_plan

    try:
        result = build_plan(stack, root or default_root())
    except ConfigError as exc:
        raise fail([f"{exc.source}: {e}" for e in exc.errors]) from None
    except TargetNotAvailable as exc:
        raise fail([f"Pulumi.{stack}.yaml: {exc}"]) from None
    except ConstraintViolations as exc:
        # The provider would refuse these inputs at `pulumi up`: the program is wrong, not the
        # command line, so exit 1 rather than the bad-input 2.
        lines = [f"Pulumi.{stack}.yaml: provider would refuse {v.line()}" for v in exc.violations]
        raise fail(lines, code=1) from None
    if as_json:
        sys.stdout.write(result.to_json())
        return
    console.print(render_tree(result))
    console.print(_outputs_table(result.outputs))
    custom = sum(r.custom for r in result.resources)
    console.print(
        f"[green]{custom} resources[/] in {len(result.resources) - custom} components; "
        f"secrets masked; unsimulated types: {', '.join(result.unsimulated_types) or 'none'}; "
        f"types without provider constraints: {', '.join(result.unconstrained_types) or 'none'}"
    )
