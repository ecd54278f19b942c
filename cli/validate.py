"""`trudeploy validate`: check every `Pulumi.*.yaml` in the project against the stack model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()


def validate(
    root: Annotated[
        Path | None,
        typer.Option(
            help="Project directory holding the Pulumi.<stack>.yaml files "
            "(default: the current directory if it has a Pulumi.yaml, else the installed project)",
            show_default=False,
        ),
    ] = None,
    as_json: bool = typer.Option(False, "--json", help="Print results as JSON."),
) -> None:
    """Validate every stack file, and that its target is available; exit 2 if any is not.
    Needs no Pulumi CLI."""
    from cli.project import default_root
    from components import registry
    from components.contract import TargetNotAvailable
    from stacks.config import ConfigError, load_stack_file

    root = root or default_root()
    files = sorted(p for p in root.glob("Pulumi.*.yaml"))
    results = []
    for path in files:
        try:
            cfg = load_stack_file(path)
            # a valid file for a target with no package is still a stack nobody can deploy
            registry.load_target(cfg.target)
        except ConfigError as exc:
            results.append({"file": path.name, "ok": False, "errors": exc.errors})
        except TargetNotAvailable as exc:
            results.append({"file": path.name, "ok": False, "errors": [str(exc)]})
        else:
            results.append(
                {"file": path.name, "ok": True, "env": cfg.env.value, "target": cfg.target.value}
            )
    ok = bool(files) and all(r["ok"] for r in results)
    if as_json:
        typer.echo(json.dumps({"ok": ok, "stacks": results}, indent=2))
    else:
        table = Table("stack file", "result", "env", "target")
        for r in results:
            if r["ok"]:
                table.add_row(r["file"], "[green]valid[/]", r["env"], r["target"])
            else:
                table.add_row(r["file"], "[red]invalid[/]", "", "")
        console.print(table)
        for r in results:
            for err in r.get("errors", []):
                console.print(f"[bold red]error:[/] {r['file']}: {escape(err)}", highlight=False)
        if not files:
            console.print(f"[red]no Pulumi.*.yaml in {root}[/]")
    if not ok:
        raise typer.Exit(code=2)
