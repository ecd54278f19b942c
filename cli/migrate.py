"""`trudeploy migrate ...`: one sub-command per backing service; each lives in its own module."""

from __future__ import annotations

import typer

from cli.migrate_postgres import postgres
from cli.migrate_redis import redis_command
from cli.migrate_runs import runs_command
from cli.migrate_stack import stack_command
from cli.migrate_storage import storage_command

migrate_app = typer.Typer(
    help="Move a backing service's data between providers: preflight, copy, verify, report.",
    no_args_is_help=True,
)

migrate_app.command("redis")(redis_command)
migrate_app.command("storage")(storage_command)
migrate_app.command("postgres")(postgres)
migrate_app.command("runs")(runs_command)
migrate_app.command("stack")(stack_command)
