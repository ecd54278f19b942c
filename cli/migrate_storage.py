"""`trudeploy migrate storage`: options to `migrate.storage.run.migrate_storage`, report out."""

from __future__ import annotations

import typer

from cli.migrate_run import run_and_exit


def storage_command(
    source: str = typer.Option(..., "--from", help=r"s3://bucket\[/prefix] or file:///path"),
    target: str = typer.Option(..., "--to", help=r"s3://bucket\[/prefix] or file:///path"),
    from_endpoint: str | None = typer.Option(None, help="S3 endpoint URL of the source."),
    to_endpoint: str | None = typer.Option(None, help="S3 endpoint URL of the target."),
    from_region: str | None = typer.Option(None, help="S3 region of the source."),
    to_region: str | None = typer.Option(None, help="S3 region of the target."),
    from_profile: str | None = typer.Option(
        None, help="AWS profile for the source (default: the standard AWS env/profile chain)."
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
        None, "--resume", help="Continue the run with this id; verified objects are skipped."
    ),
    verify_only: bool = typer.Option(
        False, "--verify-only", help="Hash both sides and compare, without copying."
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
        quiet=json_out,
    )
    run_and_exit(lambda: migrate_storage(options), StorageInputError, json_out=json_out)
