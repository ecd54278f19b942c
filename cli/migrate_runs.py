"""`trudeploy migrate runs`: the journals in the state directory, so an operator finds the run id
to `--resume` (or to delete) without knowing where runs are kept."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from migrate.journal import JournalError, list_runs, state_dir


def runs_command(
    json_out: bool = typer.Option(False, "--json", help="Print the runs as JSON on stdout."),
) -> None:
    """List migration runs (id, store, source, target, state, started), newest first, from
    $TRUDEPLOY_STATE_DIR/runs (default: $XDG_STATE_HOME/trudeploy/runs, else
    ~/.local/state/trudeploy/runs). Passwords are never shown."""
    try:
        found = list_runs()
    except JournalError as exc:
        Console(stderr=True).print(f"[bold red]error[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    if json_out:
        typer.echo(json.dumps([asdict(run) for run in found], indent=2))
        return
    console = Console()
    folder = state_dir() / "runs"
    if not found:
        console.print(f"no runs in {escape(str(folder))}", highlight=False)
        return
    table = Table(title=f"runs in {escape(str(folder))}")
    for column in ("id", "store", "source", "target", "state", "started"):
        table.add_column(column, overflow="fold")
    for run in found:
        table.add_row(
            run.id, run.store, escape(run.source), escape(run.target), run.state, run.started
        )
    console.print(table)
