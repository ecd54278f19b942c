"""Conventions shared by the Azure target's components: sizes, names, tags and built-in roles.

The env profile decides an abstract size (`xs`..`xl`); this is the one place that says which
PostgreSQL SKU, Azure Managed Redis SKU and Container Apps CPU that is.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping

from core.vocabulary import Size

PG_SKUS: dict[Size, tuple[str, str]] = {
    "xs": ("Standard_B1ms", "Burstable"),
    "s": ("Standard_D2ds_v5", "GeneralPurpose"),
    "m": ("Standard_D4ds_v5", "GeneralPurpose"),
    "l": ("Standard_D8ds_v5", "GeneralPurpose"),
    "xl": ("Standard_D16ds_v5", "GeneralPurpose"),
}
"""Flexible Server compute: Burstable only for development (it has no high availability,
https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-high-availability)."""

PG_STORAGE_SIZES = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
"""The disk sizes (GiB) Flexible Server sells (premium SSD tiers,
https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-storage)."""

PG_BACKUP_DAYS = (7, 35)
"""Flexible Server keeps backups 7..35 days (its minimum is above the development profile's)."""


def pg_storage_gb(asked: int) -> int:
    """The smallest disk Flexible Server sells that holds `asked` GiB."""
    fits = [size for size in PG_STORAGE_SIZES if size >= asked]
    if not fits:
        raise ValueError(f"Flexible Server disks hold at most {PG_STORAGE_SIZES[-1]} GiB")
    return fits[0]


REDIS_SKUS: dict[Size, str] = {
    "xs": "Balanced_B0",
    "s": "Balanced_B1",
    "m": "Balanced_B3",
    "l": "Balanced_B5",
    "xl": "Balanced_B10",
}
"""Azure Managed Redis, Balanced tier (memory and vCPU in proportion): 0.5 to 12 GB, all within
the 25 GB the non-clustered policy serves (redis.py)."""

APP_CPU_STEP = 0.25
APP_CPU_MAX = 4.0
"""Container Apps (Consumption) CPU: 0.25 to 4 vCPU in 0.25 steps, memory 2 GiB per vCPU
(https://learn.microsoft.com/azure/container-apps/containers#allocations)."""

LOG_RETENTION = (30, 730)
"""Log Analytics (PerGB2018) keeps data 30..730 days."""

ROLES = {
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Delegator": "db58b8e5-c6ad-4a2a-8342-4190687cbf4a",
}
"""Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles):
pull images, read secrets, read and write blobs, and sign user-delegation SAS for downloads."""


def app_size(cpu: float, memory_mb: int) -> tuple[float, str]:
    """Container Apps (cpu, memory) giving at least `cpu` vCPU and `memory_mb` MiB: the allowed
    pairs are fixed (memory = 2 GiB x vCPU), so the larger need decides."""
    steps = max(math.ceil(cpu / APP_CPU_STEP), math.ceil(memory_mb / 512), 1)
    cores = steps * APP_CPU_STEP
    if cores > APP_CPU_MAX:
        raise ValueError(f"Container Apps sells at most {APP_CPU_MAX} vCPU; asked for {cpu}")
    return cores, f"{cores * 2:g}Gi"


def compact(name: str, limit: int) -> str:
    """A globally unique name of lowercase letters and digits only (storage accounts, registries,
    vaults): the name squeezed to fit `limit`, plus 4 hex of its full form."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:4]
    squeezed = re.sub(r"[^a-z0-9]", "", name.lower())
    if not squeezed[:1].isalpha():
        squeezed = "a" + squeezed
    return squeezed[: limit - len(digest)] + digest


def dashed(name: str, limit: int) -> str:
    """A name of lowercase letters, digits and `-`, a letter first, not ending in `-`."""
    cleaned = re.sub(r"[^a-z0-9-]", "-", name.lower())[:limit].rstrip("-")
    if not cleaned[:1].isalpha():
        raise ValueError(f"Azure resource name {cleaned!r} must start with a letter")
    return cleaned


def tags(stack_tags: Mapping[str, str]) -> dict[str, str]:
    """The stack's tags as Azure tags (names up to 512 characters, values up to 256)."""
    return {key[:512]: value[:256] for key, value in stack_tags.items()}


def role_id(subscription: str, role: str) -> str:
    """The full id of a built-in role in `subscription`."""
    return (
        f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/"
        f"{ROLES[role]}"
    )
