"""Conventions shared by the AWS target's components: sizes, names and IAM documents.

The env profile decides an abstract size (`xs`..`xl`); this is the one place that says which AWS
instance class that is, so a profile change never needs an edit in a component.
"""

from __future__ import annotations

import json

from core.vocabulary import Size

RDS_CLASSES: dict[Size, str] = {
    "xs": "db.t4g.micro",
    "s": "db.t4g.small",
    "m": "db.m7g.large",
    "l": "db.m7g.xlarge",
    "xl": "db.m7g.2xlarge",
}
"""Graviton classes: cheaper than x86 for PostgreSQL; burstable (t4g) only below production."""

CACHE_NODES: dict[Size, str] = {
    "xs": "cache.t4g.micro",
    "s": "cache.t4g.small",
    "m": "cache.m7g.large",
    "l": "cache.m7g.xlarge",
    "xl": "cache.m7g.2xlarge",
}

FARGATE_SIZES: tuple[tuple[int, tuple[int, ...]], ...] = (
    (256, (512, 1024, 2048)),
    (512, tuple(range(1024, 4097, 1024))),
    (1024, tuple(range(2048, 8193, 1024))),
    (2048, tuple(range(4096, 16385, 1024))),
    (4096, tuple(range(8192, 30721, 1024))),
)
"""The CPU units / memory (MiB) combinations Fargate sells."""

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
"""The only retention periods CloudWatch Logs accepts."""


def fargate_size(cpu: float, memory_mb: int) -> tuple[int, int]:
    """The smallest Fargate (cpu units, MiB) pair that gives at least `cpu` vCPU and `memory_mb`."""
    units = cpu * 1024
    for cpu_units, memories in FARGATE_SIZES:
        if cpu_units < units:
            continue
        for memory in memories:
            if memory >= memory_mb:
                return cpu_units, memory
    raise ValueError(f"no Fargate size has {cpu} vCPU and {memory_mb} MiB; the largest is 4 vCPU")


def log_retention(days: int) -> int:
    """The profile's retention rounded up to a period CloudWatch accepts."""
    for allowed in LOG_RETENTION_DAYS:
        if allowed >= days:
            return allowed
    return LOG_RETENTION_DAYS[-1]


def physical_name(name: str, limit: int) -> str:
    """A physical name within an AWS length limit, never ending in a hyphen."""
    return name[:limit].rstrip("-")


def assume_role_policy(service: str) -> str:
    """Trust policy letting one AWS service principal assume a role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
