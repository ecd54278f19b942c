"""Conventions shared by the GCP target's components: sizes, names and labels.

The env profile decides an abstract size (`xs`..`xl`); this is the one place that says which
Cloud SQL tier, Memorystore capacity and Cloud Run CPU that is.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping

from core.vocabulary import Size

SQL_TIERS: dict[Size, str] = {
    "xs": "db-custom-1-3840",
    "s": "db-custom-2-7680",
    "m": "db-custom-4-16384",
    "l": "db-custom-8-32768",
    "xl": "db-custom-16-65536",
}
"""Enterprise-edition custom machines (dedicated cores: the shared-core tiers have no SLA)."""

REDIS_GB: dict[Size, int] = {"xs": 1, "s": 2, "m": 5, "l": 10, "xl": 25}
"""Memorystore capacity in GB (the instance's memory, which is also its price)."""

RUN_CPUS = (1, 2, 4, 6, 8)
"""Cloud Run CPU limits this target uses: whole vCPUs, so concurrency above 1 is allowed
(https://cloud.google.com/run/docs/configuring/services/cpu)."""

LOG_RETENTION_MAX = 3650
"""Cloud Logging buckets keep logs 1..3650 days."""


def run_size(cpu: float, memory_mb: int) -> tuple[str, str]:
    """Cloud Run `limits` (cpu, memory) that give at least `cpu` vCPU and `memory_mb` MiB, with
    the memory Cloud Run requires for that CPU (4 vCPU: 2 GiB, 6 and 8 vCPU: 4 GiB)."""
    cores = next((c for c in RUN_CPUS if c >= cpu), None)
    if cores is None:
        raise ValueError(f"Cloud Run sells at most {RUN_CPUS[-1]} vCPU; asked for {cpu}")
    floor = {4: 2048, 6: 4096, 8: 4096}.get(cores, 512)
    memory = max(memory_mb, floor)
    return str(cores), f"{math.ceil(memory / 256) * 256}Mi"


def labels(tags: Mapping[str, str]) -> dict[str, str]:
    """The stack's tags as GCP labels: lowercase letters, digits, `_` and `-`, at most 63."""
    return {_label(key): _label(value) for key, value in tags.items() if _label(key)[:1].isalpha()}


def _label(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", text.lower())[:63]


def resource_id(name: str, limit: int) -> str:
    """A GCP resource id within `limit`: lowercase, starting with a letter, no trailing `-`."""
    cleaned = re.sub(r"[^a-z0-9-]", "-", name.lower())[:limit].rstrip("-")
    if not cleaned[:1].isalpha():
        raise ValueError(f"GCP resource id {cleaned!r} must start with a letter")
    return cleaned


def versioned_id(name: str, content: str, limit: int = 63) -> str:
    """`name` plus a short hash of `content`, for a resource Google will not change in place:
    new content gets a new name, so Pulumi creates the replacement, repoints what uses it and
    only then deletes the old one (one fixed name would collide with itself)."""
    digest = hashlib.sha256(content.encode()).hexdigest()[:8]
    return f"{resource_id(name, limit - len(digest) - 1)}-{digest}"
