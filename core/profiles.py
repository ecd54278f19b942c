"""The env profile table: one row per env, read by every target.

Sizing, HA, backups, protection and retention are decided here and nowhere else, so a production
stack is production-grade on every cloud and a development stack is small and cheap on every cloud
(INVARIANTS.md D4, O4). A stack file may override size, HA, versioning and replicas per capability;
`stacks.profiles.resolve` applies those overrides on top of the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.vocabulary import Env, Size


@dataclass(frozen=True)
class Profile:
    """What an env asks of every target."""

    env: Env
    postgres_size: Size
    postgres_storage_gb: int
    postgres_ha: bool
    backup_retention_days: int
    point_in_time_recovery: bool
    deletion_protection: bool
    final_snapshot: bool
    redis_size: Size
    redis_ha: bool
    storage_versioning: bool
    noncurrent_version_days: int
    app_size: Size
    web_replicas: int
    worker_replicas: int
    web_max_replicas: int
    log_retention_days: int
    cache_snapshot_days: int
    """Days of daily cache snapshots kept (0 = none); the cache survives losing its one node."""
    private_endpoints: bool
    """Image pulls, secrets and logs over private endpoints instead of through NAT alone."""
    audit_logs: bool
    """Load balancer access logs, network flow logs and bucket access logs, kept for
    `log_retention_days`."""
    edge_protection: bool
    """A web application firewall in front of the service (managed rules, rate limit)."""


PROFILES: dict[Env, Profile] = {
    Env.development: Profile(
        env=Env.development,
        postgres_size="xs",
        postgres_storage_gb=20,
        postgres_ha=False,
        backup_retention_days=1,
        point_in_time_recovery=False,
        deletion_protection=False,
        final_snapshot=False,
        redis_size="xs",
        redis_ha=False,
        storage_versioning=False,
        noncurrent_version_days=7,
        app_size="xs",
        web_replicas=1,
        worker_replicas=1,
        web_max_replicas=1,
        log_retention_days=7,
        cache_snapshot_days=1,
        private_endpoints=False,
        audit_logs=False,
        edge_protection=False,
    ),
    Env.staging: Profile(
        env=Env.staging,
        postgres_size="s",
        postgres_storage_gb=20,
        postgres_ha=False,
        backup_retention_days=7,
        point_in_time_recovery=True,
        deletion_protection=False,
        final_snapshot=True,
        redis_size="s",
        redis_ha=False,
        storage_versioning=True,
        noncurrent_version_days=14,
        app_size="s",
        web_replicas=1,
        worker_replicas=1,
        web_max_replicas=2,
        log_retention_days=14,
        cache_snapshot_days=1,
        private_endpoints=False,
        audit_logs=False,
        edge_protection=False,
    ),
    Env.production: Profile(
        env=Env.production,
        postgres_size="m",
        postgres_storage_gb=100,
        postgres_ha=True,
        backup_retention_days=14,
        point_in_time_recovery=True,
        deletion_protection=True,
        final_snapshot=True,
        redis_size="m",
        redis_ha=True,
        storage_versioning=True,
        noncurrent_version_days=30,
        app_size="m",
        web_replicas=2,
        worker_replicas=2,
        web_max_replicas=6,
        log_retention_days=90,
        cache_snapshot_days=7,
        private_endpoints=True,
        audit_logs=True,
        edge_protection=True,
    ),
}

# Abstract app size -> (vCPU, MiB) per process; targets round to what their platform sells.
APP_SIZES: dict[Size, tuple[float, int]] = {
    "xs": (0.25, 512),
    "s": (0.5, 1024),
    "m": (1.0, 2048),
    "l": (2.0, 4096),
    "xl": (4.0, 8192),
}
