"""`trudeploy migrate postgres`: options in, report out, exit 0/1/2; work is in migrate/postgres."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from cli.migrate_run import REFUSED, run_and_exit
from migrate.postgres.sizes import DEFAULT_CHUNK_BYTES, parse_size
from migrate.postgres.timeouts import Timeouts

if TYPE_CHECKING:
    from migrate.report import Report


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def abort_and_exit(run: Callable[[], Report], *, json_out: bool) -> NoReturn:
    """`--abort`: exit 0 once the run's slot and publication are gone, 2 on a bad run id."""
    from migrate.postgres.errors import PreflightError

    try:
        report = run()
    except PreflightError as exc:
        Console(stderr=True).print(f"[bold red]{REFUSED}[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    if json_out:
        typer.echo(report.to_json())
    else:
        dropped = ", ".join(report.stats.get("dropped", [])) or "nothing left to drop"
        Console(stderr=True).print(f"[bold]{report.run_id} aborted[/]: dropped {dropped}")
    raise typer.Exit(0)


def postgres(
    source: Annotated[
        str, typer.Option("--from", help="Source URL, postgresql://USER@HOST:PORT/DB (only read).")
    ],
    target: Annotated[str, typer.Option("--to", help="Target URL; its database must be empty.")],
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Parallel copy/index/verify workers.")
    ] = 4,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Preflight and plan only; write nothing.")
    ] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", metavar="RUN_ID", help="Finish an interrupted run.")
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on stdout.")
    ] = False,
    allow_downgrade: Annotated[
        bool, typer.Option("--allow-downgrade", help="Allow a target with an older major version.")
    ] = False,
    chunk_size: Annotated[
        str,
        typer.Option(
            "--chunk-size", help="Split tables larger than this into key ranges (e.g. 128MB)."
        ),
    ] = f"{DEFAULT_CHUNK_BYTES // 1024**2}MB",
    connect_timeout: Annotated[
        int,
        typer.Option(
            "--connect-timeout",
            min=1,
            help="Seconds to establish each session (TCP, TLS, authentication) before giving up.",
        ),
    ] = Timeouts.connect,
    read_timeout: Annotated[
        int,
        typer.Option(
            "--read-timeout",
            min=0,
            help="Seconds a peer may leave sent data unacknowledged, or stay silent to TCP "
            "keepalives, before its session is dropped (0: the OS default, minutes to hours).",
        ),
    ] = Timeouts.read,
    statement_timeout: Annotated[
        int,
        typer.Option(
            "--statement-timeout",
            min=0,
            help="Seconds any one statement (a whole table's COPY or hash is one) or lock wait "
            "may take on either server (0: no limit).",
        ),
    ] = Timeouts.statement,
    lock_timeout: Annotated[
        int,
        typer.Option(
            "--lock-timeout",
            min=0,
            help="Seconds a source session may wait for a lock another session holds "
            "(0: no limit).",
        ),
    ] = Timeouts.lock,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Keep the source writable during the copy: copy from a logical replication "
            "slot's snapshot, relay the changes since, then freeze writes for the cutover only. "
            "Needs wal_level=logical and a role with REPLICATION on the source.",
        ),
    ] = False,
    abort: Annotated[
        str | None,
        typer.Option(
            "--abort",
            metavar="RUN_ID",
            help="With --online: give a run up, dropping its slot and publication on the source.",
        ),
    ] = None,
    freeze_timeout: Annotated[
        float,
        typer.Option(
            "--freeze-timeout",
            min=0.1,
            help="With --online: seconds the cutover may wait for in-flight writers to finish.",
        ),
    ] = 10.0,
    keep_source_writable: Annotated[
        bool,
        typer.Option(
            "--keep-source-writable",
            help="With --online: after a verified cutover, do not make the source read-only "
            "nor end its sessions.",
        ),
    ] = False,
) -> None:
    """Copy a PostgreSQL database to another server: preflight, schema, parallel COPY from one
    snapshot, indexes, sequences, ANALYZE, then verify row counts and content hashes per table.
    With --online the source keeps serving writes until a cutover freeze of a few seconds.

    Exit 0 when verified (or a --dry-run passed preflight), 1 on a copy or verification failure,
    2 on bad input or a preflight refusal (nothing written)."""
    # Imported here so that `trudeploy plan` and `--help` do not pay for psycopg.
    from migrate.postgres.errors import PreflightError
    from migrate.postgres.run import Options, migrate

    options = Options(
        source=source,
        target=target,
        jobs=jobs,
        dry_run=dry_run,
        resume=resume,
        allow_downgrade=allow_downgrade,
        chunk_bytes=_size(chunk_size),
        quiet=json_out,
        timeouts=Timeouts(connect_timeout, read_timeout, statement_timeout, lock_timeout),
    )
    if abort and not online:
        raise typer.BadParameter("--abort applies to --online runs", param_hint="--abort")
    if online:
        from migrate.postgres.online.command import OnlineOptions, migrate_online

        extra = OnlineOptions(
            abort=abort, freeze_timeout=freeze_timeout, retire_source=not keep_source_writable
        )
        if abort:
            abort_and_exit(lambda: migrate_online(options, extra), json_out=json_out)
        run_and_exit(lambda: migrate_online(options, extra), PreflightError, json_out=json_out)
    run_and_exit(lambda: migrate(options), PreflightError, json_out=json_out)
