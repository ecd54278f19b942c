"""`trudeploy migrate stack`: both stacks' outputs in, one move, report out, exit 0/1/2.

Outputs come from the Pulumi engine (`--from STACK --to STACK`, as `trudeploy outputs --json
--show-secrets` reads them) or from files (`--from-outputs FILE --to-outputs FILE`, the JSON of
`pulumi stack output --json --show-secrets`) where the Pulumi CLI is not at hand, e.g. in the
one-off task that runs the move inside the target's network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from cli.migrate_run import REFUSED

OutputsFile = Annotated[
    Path | None,
    typer.Option(help="JSON of `pulumi stack output --json --show-secrets` for that side."),
]


def _refuse(problems: list[str]) -> NoReturn:
    err = Console(stderr=True)
    for problem in problems:
        err.print(f"[bold red]{REFUSED}[/] {escape(problem)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _side(stack: str | None, path: Path | None, option: str, root: Path | None) -> object:
    """One side's outputs, from its stack or its file; exactly one of the two is given."""
    from migrate.stack.errors import StackInputError
    from migrate.stack.outputs import load_side, side_from_outputs

    if (stack is None) == (path is None):
        raise StackInputError(
            f"give either --{option} STACK or --{option}-outputs FILE, not both or none"
        )
    if path is not None:
        return load_side(path, f"--{option}-outputs")
    from cli.live import _checked_file, _require_cli, _root
    from stacks import live

    where = _root(root)
    _checked_file(stack, where)  # type: ignore[arg-type]
    _require_cli()
    return side_from_outputs(live.outputs(stack, where, True), f"--{option} {stack}")  # type: ignore[arg-type]


class _Input(Exception):
    pass


def stack_command(
    from_stack: Annotated[
        str | None, typer.Option("--from", help="Source stack name (reads its outputs).")
    ] = None,
    to_stack: Annotated[
        str | None, typer.Option("--to", help="Target stack name (reads its outputs).")
    ] = None,
    from_outputs: OutputsFile = None,
    to_outputs: OutputsFile = None,
    root: Annotated[
        Path | None, typer.Option(help="Project directory holding Pulumi.yaml (with --from/--to).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Preflight, print the plan and the expected window; write nothing."
        ),
    ] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", metavar="RUN_ID", help="Finish an interrupted move.")
    ] = None,
    abort: Annotated[
        str | None,
        typer.Option(
            "--abort",
            metavar="RUN_ID",
            help="Give up a move that has not switched: drop the replication slot and "
            "publication, the source leaves maintenance.",
        ),
    ] = None,
    switch_command: Annotated[
        str | None,
        typer.Option(
            "--switch-command",
            metavar="CMD",
            help="Run after the target leaves maintenance (e.g. a DNS change); a non-zero exit "
            "rolls the move back. Must be safe to run twice (a resumed move may).",
        ),
    ] = None,
    lock_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds the database freeze may wait for its locks.")
    ] = 5.0,
    target_lag_bytes: Annotated[
        int, typer.Option(min=0, help="Catch-up ends when the target is this close (WAL bytes).")
    ] = 1 << 20,
    catch_up_timeout: Annotated[
        float, typer.Option(min=1, help="Seconds the catch-up may take before the move stops.")
    ] = 3600.0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parallel copy workers.")] = 4,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Move a whole deployment (PostgreSQL online, Redis, object storage) to another stack, with
    writes paused only for the cutover."""
    from migrate.stack.abort import abort_stack
    from migrate.stack.errors import StackInputError
    from migrate.stack.move import StackOptions
    from migrate.stack.run import migrate_stack

    err = Console(stderr=True)
    try:
        if abort and (resume or dry_run):
            raise _Input("--abort excludes --resume and --dry-run")
        problems = []
        sides = []
        for stack, path, option in (
            (from_stack, from_outputs, "from"),
            (to_stack, to_outputs, "to"),
        ):
            try:
                sides.append(_side(stack, path, option, root))
            except StackInputError as exc:
                problems += exc.problems
        if problems:
            raise StackInputError(problems)
        opts = StackOptions(
            source=sides[0],  # type: ignore[arg-type]
            target=sides[1],  # type: ignore[arg-type]
            dry_run=dry_run,
            resume=resume,
            switch_command=switch_command,
            target_lag_bytes=target_lag_bytes,
            catch_up_timeout=catch_up_timeout,
            lock_timeout=lock_timeout,
            jobs=jobs,
            quiet=json_out,
        )
        report = abort_stack(abort, opts) if abort else migrate_stack(opts, err)
    except _Input as exc:
        _refuse([str(exc)])
    except StackInputError as exc:
        _refuse(exc.problems)
    if json_out:
        typer.echo(report.to_json())
    else:
        report.render(err)
    raise typer.Exit(0 if report.ok or report.status == "aborted" else 1)
