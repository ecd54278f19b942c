"""The exit contract every `trudeploy migrate` command shares, so the three stores cannot drift:
0 verified (or a dry run that passed preflight), 1 copy or verification failure, 2 refused input."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from migrate.report import Report

# The one word every store's refusal starts with, so scripts and people read one format.
REFUSED = "refused"


def run_and_exit(
    run: Callable[[], Report], refusal: type[Exception], *, json_out: bool
) -> NoReturn:
    """Run one migration; print its report (JSON on stdout, or rich on stderr) and exit."""
    err = Console(stderr=True)
    try:
        report = run()
    except refusal as exc:
        err.print(f"[bold red]{REFUSED}[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    if json_out:
        typer.echo(report.to_json())
    else:
        report.render(err)
    raise typer.Exit(0 if report.ok else 1)
