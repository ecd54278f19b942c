"""`trudeploy migrate redis`: options to `migrate.redis.run.migrate_redis`, report to a terminal."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.migrate_run import run_and_exit


def redis_command(
    source: str = typer.Option(..., "--from", help="Source URL: redis://[user:pass@]host[:port]"),
    target: str = typer.Option(..., "--to", help="Target URL: redis://... or rediss://... (TLS)"),
    db: str | None = typer.Option(
        None, "--db", help="Databases to copy, e.g. 0,3 (default: every database holding keys)."
    ),
    mode: str = typer.Option(
        "auto",
        "--mode",
        help="auto: DUMP/RESTORE, by type when the target cannot load the source's payloads; "
        "dump; by-type.",
    ),
    jobs: int = typer.Option(4, "--jobs", "-j", help="Databases copied and verified at once."),
    batch_size: int = typer.Option(1000, "--batch-size", help="Keys per SCAN and pipeline."),
    ttl_tolerance_ms: int = typer.Option(
        5000, "--ttl-tolerance-ms", help="How far a copied key's TTL may differ, in ms."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Preflight and plan only."),
    resume: str | None = typer.Option(None, "--resume", help="Finish the run with this id."),
    verify_only: bool = typer.Option(
        False, "--verify-only", help="Compare source and target without copying."
    ),
    allow_evicting_target: bool = typer.Option(
        False,
        "--allow-evicting-target",
        help="Copy into a target whose maxmemory-policy evicts keys (refused by default).",
    ),
    connect_timeout: float = typer.Option(
        10.0, "--connect-timeout", help="Seconds to wait for a TCP (and TLS) connection."
    ),
    read_timeout: float = typer.Option(
        60.0,
        "--read-timeout",
        help="Seconds a connected server may stay silent before the run fails, naming it.",
    ),
    from_ca_cert: str | None = typer.Option(
        None,
        "--from-ca-cert",
        help="PEM file of the source's server CA (e.g. Memorystore's); the only CA trusted.",
    ),
    to_ca_cert: str | None = typer.Option(
        None,
        "--to-ca-cert",
        help="PEM file of the target's server CA (e.g. a GCP stack's redisCaCert output).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON on stdout."),
) -> None:
    """Copy every Redis database (keys, types, TTLs) to another server, then verify it."""
    # Imported here so that `trudeploy plan` and `--help` do not pay for boto3/redis/psycopg.
    from migrate.redis.endpoint import RedisInputError
    from migrate.redis.run import RedisOptions, migrate_redis

    options = RedisOptions(
        source=source,
        target=target,
        databases=db,
        mode=mode,
        jobs=jobs,
        batch_size=batch_size,
        ttl_tolerance_ms=ttl_tolerance_ms,
        dry_run=dry_run,
        resume=resume,
        verify_only=verify_only,
        allow_evicting_target=allow_evicting_target,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        source_ca_file=Path(from_ca_cert) if from_ca_cert else None,
        target_ca_file=Path(to_ca_cert) if to_ca_cert else None,
        quiet=json_out,
    )
    run_and_exit(lambda: migrate_redis(options), RedisInputError, json_out=json_out)
