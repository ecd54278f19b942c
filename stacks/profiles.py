"""A stack's profile: its env's row of the profile table (core/profiles.py) with the stack
file's per-capability overrides applied."""

from __future__ import annotations

from dataclasses import replace

from core.profiles import PROFILES, Profile
from stacks.config import StackConfig


def resolve(config: StackConfig) -> Profile:
    """The stack's profile row with the stack file's per-capability overrides applied."""
    base = PROFILES[config.env]
    overrides: dict[str, object] = {}
    if config.allow_destroy:
        # a decision recorded in the stack file, never an edit of the profile table; final
        # snapshots and backups stay as the profile says
        overrides["deletion_protection"] = False
    if config.postgres.size is not None:
        overrides["postgres_size"] = config.postgres.size
    if config.postgres.storage_gb is not None:
        overrides["postgres_storage_gb"] = config.postgres.storage_gb
    if config.postgres.ha is not None:
        overrides["postgres_ha"] = config.postgres.ha
    if config.redis.size is not None:
        overrides["redis_size"] = config.redis.size
    if config.redis.ha is not None:
        overrides["redis_ha"] = config.redis.ha
    if config.storage.versioning is not None:
        overrides["storage_versioning"] = config.storage.versioning
    if config.app.size is not None:
        overrides["app_size"] = config.app.size
    if config.app.replicas.web is not None:
        overrides["web_replicas"] = config.app.replicas.web
        overrides["web_max_replicas"] = max(base.web_max_replicas, config.app.replicas.web)
    if config.app.replicas.worker is not None:
        overrides["worker_replicas"] = config.app.replicas.worker
    return replace(base, **overrides)
