"""`trudeploy migrate storage`: options to `migrate.storage.run.migrate_storage`, report out."""

from __future__ import annotations

import typer

from cli.migrate_run import run_and_exit

FORMS = r"s3://bucket\[/prefix], az://account/container\[/prefix] or file:///path"


def storage_command(
    source: str = typer.Option(..., "--from", help=FORMS),
    target: str = typer.Option(..., "--to", help=FORMS),
    from_endpoint: str | None = typer.Option(
        None, help="Endpoint URL of the source's store (s3://, az://)."
    ),
    to_endpoint: str | None = typer.Option(
        None, help="Endpoint URL of the target's store (s3://, az://)."
    ),
    from_region: str | None = typer.Option(None, help="S3 region of the source."),
    to_region: str | None = typer.Option(None, help="S3 region of the target."),
    from_profile: str | None = typer.Option(
        None,
        help="AWS profile for an s3:// source (default: the standard AWS env/profile chain); "
        "az:// reads the standard Azure variables (AZURE_STORAGE_ACCOUNT_KEY, ...).",
    ),
    to_profile: str | None = typer.Option(None, help="AWS profile for the target."),
    jobs: int = typer.Option(16, "--jobs", "-j", help="Objects copied at once."),
    part_size_mb: int = typer.Option(
        16, "--part-size-mb", help="Objects this large or larger go multipart, in parts this size."
    ),
    verify: str = typer.Option(
        "full",
        "--verify",
        help="full: read every copied object back and hash it; checksum: trust the SHA-256 the "
        "store validated on upload where it keeps one (not on moto: it stores without checking).",
    ),
    server_side: bool = typer.Option(
        True, help="Copy inside the service when both sides are one S3 endpoint."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Preflight and plan only."),
    resume: str | None = typer.Option(
        None,
        "--resume",
        help="Continue the run with this id; objects verified earlier are skipped if the target "
        "still lists them with the size and version they were verified with.",
    ),
    verify_only: bool = typer.Option(
        False, "--verify-only", help="Hash both sides and compare, without copying."
    ),
    delete: bool = typer.Option(
        False,
        "--delete",
        help="With --resume: remove from the target what this run copied and the source has "
        "since deleted (default: keep it and report it).",
    ),
    connect_timeout: float = typer.Option(
        10.0, "--connect-timeout", help="Seconds to wait for a connection to a store's endpoint."
    ),
    read_timeout: float = typer.Option(
        60.0,
        "--read-timeout",
        help="Seconds an endpoint may stay silent on a request; each request is tried 5 "
        "times, then the run stops, naming the endpoint.",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON on stdout."),
) -> None:
    """Copy every object under a prefix to another store, then verify sizes and SHA-256."""
    # Imported here so that `trudeploy plan` and `--help` do not pay for boto3/redis/psycopg.
    from migrate.storage.backend import StorageInputError
    from migrate.storage.locate import Side
    from migrate.storage.run import StorageOptions, migrate_storage

    options = StorageOptions(
        source=Side(source, "--from", from_endpoint, from_region, from_profile),
        target=Side(target, "--to", to_endpoint, to_region, to_profile),
        jobs=jobs,
        part_size_mb=part_size_mb,
        verify=verify,
        server_side=server_side,
        dry_run=dry_run,
        resume=resume,
        verify_only=verify_only,
        delete=delete,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        quiet=json_out,
    )
    run_and_exit(lambda: migrate_storage(options), StorageInputError, json_out=json_out)
