"""`trudeploy plan --all` and `plan diff`: every stack at once, and two such runs compared."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cli.plan import fail

console = Console()


def plan_every_stack(root: Path | None, as_json: bool) -> None:
    """Plan each stack file of the project in this process; exit as the worst stack would alone
    (2 bad input, 1 violation, 0 clean), after printing every stack's result."""
    from cli.project import default_root
    from stacks.offline.plans import document, plan_all

    results = plan_all(root or default_root())
    if as_json:
        sys.stdout.write(json.dumps(document(results), indent=2, sort_keys=True) + "\n")
    else:
        for r in results:
            if r.errors or r.constraint_violations:
                state = "[red]not planned[/]"
            elif r.broken:
                state = f"[red]{len(r.broken)} invariant violation(s)[/]"
            else:
                state = "[green]ok[/]"
            count = sum(res["custom"] for res in r.plan["resources"]) if r.plan else 0
            console.print(f"{r.stack} ({r.target or '?'}): {state}, {count} resources")
    worst = max((r.exit_code for r in results), default=0)
    if worst:
        lines = [
            f"{r.stack}: {line}"
            for r in results
            for line in [*r.errors, *r.constraint_violations, *(f"invariant {v}" for v in r.broken)]
        ]
        raise fail(lines, code=worst)


def diff(
    base: Annotated[Path, typer.Argument(help="`plan --all --json` of the base commit.")],
    head: Annotated[Path, typer.Argument(help="`plan --all --json` of the change.")],
    as_markdown: bool = typer.Option(
        False, "--markdown", help="Print GitHub-flavoured Markdown (the pull request comment)."
    ),
    note: Annotated[
        list[str] | None,
        typer.Option(help="A line to add at the end of the Markdown (repeatable)."),
    ] = None,
) -> None:
    """Compare two `plan --all --json` documents: per stack, resources added, removed, changed
    and replaced, and the change's violations. Exit 1 when the head has any violation."""
    from stacks.offline.diff import PlanDocumentError, diff_documents, load_document
    from stacks.offline.diff_render import markdown, text

    try:
        result = diff_documents(load_document(base), load_document(head))
    except PlanDocumentError as exc:
        raise fail([str(exc)]) from None
    sys.stdout.write(markdown(result, note) if as_markdown else text(result))
    if result.violations:
        raise fail([f"{result.violations} violation(s) in the head plans"], code=1)
