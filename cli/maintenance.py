"""`trudeploy maintenance on|off|status`: the service's write freeze, switched by hand.

The same switch `trudeploy migrate stack` throws at cutover (migrate/maintenance.py): one key in
the service's Redis. The Redis is named by URL (`--redis-url`) or by stack (`-s STACK`, whose
`redisUrl` output is read as `trudeploy outputs -s STACK --show-secrets` reads it). Exit codes:
0 done, 1 Redis could not be asked, 2 bad input.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from cli.plan import fail

maintenance_app = typer.Typer(
    help="Freeze the service's writes (503 with Retry-After; reads and health stay up) and lift "
    "the freeze, through the maintenance key in its Redis.",
    no_args_is_help=True,
)
console = Console(stderr=True)

RedisUrlOption = Annotated[
    str | None,
    typer.Option("--redis-url", help="The service's REDIS_URL (redis:// or rediss://)."),
]
StackOption = Annotated[
    str | None,
    typer.Option("--stack", "-s", help="Read the Redis URL from this stack's `redisUrl` output."),
]
RootOption = Annotated[
    Path | None,
    typer.Option(help="Project directory holding Pulumi.yaml (with --stack)."),
]
CaCertOption = Annotated[
    Path | None,
    typer.Option(
        "--redis-ca-cert",
        help="PEM of the Redis instance's own CA (Memorystore), pinned for rediss://; with "
        "--stack, the stack's redisCaCert output is used.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def _stack_redis(stack: str, root: Path | None) -> tuple[str, str | None]:
    """The stack's `redisUrl` output and its `redisCaCert` where it has one, through the
    Automation API as `trudeploy outputs` does."""
    from cli.live import _checked_file, _require_cli, _root
    from stacks import live

    where = _root(root)
    _checked_file(stack, where)
    _require_cli()
    values = live.outputs(stack, where, show_secrets=True)
    url = values.get("redisUrl")
    if not isinstance(url, str) or not url:
        raise fail(
            [
                f"stack {stack!r} has no redisUrl output: deploy it first (`trudeploy up -s "
                f"{stack}`), or pass --redis-url"
            ]
        )
    ca_cert = values.get("redisCaCert")
    return url, ca_cert if isinstance(ca_cert, str) and ca_cert else None


def _redis(
    redis_url: str | None, stack: str | None, root: Path | None, ca_file: Path | None
) -> tuple[str, str | None]:
    """The Redis URL and the CA to pin (or None) from the options."""
    if (redis_url is None) == (stack is None):
        raise fail(["give exactly one of --redis-url URL or --stack STACK"])
    url, ca_cert = (redis_url, None) if redis_url is not None else _stack_redis(stack or "", root)
    if ca_file is not None:
        try:
            ca_cert = ca_file.read_text()
        except OSError as exc:
            raise fail([f"--redis-ca-cert {ca_file}: {exc.strerror}"]) from None
    return url, ca_cert


def _switch(action: Any) -> Any:
    """Run one call of migrate.maintenance, turning its errors into this command's exits."""
    from migrate.maintenance import MaintenanceError, MaintenanceInputError

    try:
        return action()
    except MaintenanceInputError as exc:
        raise fail([str(exc)], code=2) from None
    except MaintenanceError as exc:
        raise fail([str(exc)], code=1) from None


def _emit(result: dict[str, Any], as_json: bool, line: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    else:
        console.print(line, highlight=False, soft_wrap=True)


def _since(value: dict[str, Any]) -> str:
    since = value.get("since")
    if not isinstance(since, int | float):
        return "unknown"
    return datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@maintenance_app.command("on")
def on(
    redis_url: RedisUrlOption = None,
    stack: StackOption = None,
    root: RootOption = None,
    run_id: Annotated[
        str, typer.Option("--run-id", help="Who holds the freeze (shown by status).")
    ] = "operator",
    retry_after: Annotated[
        int, typer.Option("--retry-after", min=1, help="Seconds clients are told to wait.")
    ] = 5,
    reason: Annotated[str, typer.Option("--reason", help="Why, for status.")] = "maintenance",
    redis_ca_cert: CaCertOption = None,
    as_json: JsonOption = False,
) -> None:
    """Freeze writes: within CACHE_SECONDS every process refuses them (503, Retry-After)."""
    from migrate import maintenance

    url, ca_cert = _redis(redis_url, stack, root, redis_ca_cert)
    value = _switch(lambda: maintenance.enter(url, run_id, retry_after, reason, ca_cert=ca_cert))
    _emit(
        {"maintenance": "on", **value, "effective_within_s": maintenance.CACHE_SECONDS},
        as_json,
        f"[yellow]maintenance on[/] (run {escape(run_id)}, Retry-After {retry_after} s): writes "
        f"stop within {maintenance.CACHE_SECONDS} s",
    )


@maintenance_app.command("off")
def off(
    redis_url: RedisUrlOption = None,
    stack: StackOption = None,
    root: RootOption = None,
    redis_ca_cert: CaCertOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lift the freeze: writes are admitted again within CACHE_SECONDS."""
    from migrate import maintenance

    url, ca_cert = _redis(redis_url, stack, root, redis_ca_cert)
    was_on = _switch(lambda: maintenance.leave(url, ca_cert=ca_cert))
    _emit(
        {"maintenance": "off", "was_on": was_on},
        as_json,
        "[green]maintenance off[/]" + ("" if was_on else " (it was not on)"),
    )


@maintenance_app.command("status")
def status(
    redis_url: RedisUrlOption = None,
    stack: StackOption = None,
    root: RootOption = None,
    redis_ca_cert: CaCertOption = None,
    as_json: JsonOption = False,
) -> None:
    """Whether writes are frozen, by whom and since when."""
    from migrate import maintenance

    url, ca_cert = _redis(redis_url, stack, root, redis_ca_cert)
    value = _switch(lambda: maintenance.status(url, ca_cert=ca_cert))
    if value is None:
        _emit({"maintenance": "off"}, as_json, "maintenance off: writes are admitted")
        return
    malformed = " [red](value is not the contract's JSON)[/]" if "malformed" in value else ""
    _emit(
        {"maintenance": "on", "value": value},
        as_json,
        f"[yellow]maintenance on[/] since {_since(value)}, run "
        f"{escape(str(value.get('run_id') or '?'))}, reason {escape(str(value.get('reason')))}, "
        f"Retry-After {value.get('retry_after')} s{malformed}",
    )
