"""Render's vocabulary in one place: the target's settings, plans by size, and region pairings.

Every table here maps the contract's abstract size (core/profiles.py `APP_SIZES`) or Render's
region onto a value the Render, Upstash or Cloudflare API accepts; components/render/constraints.py
holds what those APIs refuse, so a wrong table entry fails the offline plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.contract import DeployContext, TargetNotAvailable
from core.vocabulary import Size

SERVICE_PLANS: tuple[tuple[str, float, int], ...] = (
    ("starter", 0.5, 512),
    ("standard", 1.0, 2048),
    ("pro", 2.0, 4096),
    ("pro_plus", 4.0, 8192),
    ("pro_max", 4.0, 16384),
    ("pro_ultra", 8.0, 32768),
)
"""Render's service compute plans (plan id, CPU, MiB), smallest first:
https://render.com/docs/compute-plans (web services and background workers)."""

POSTGRES_PLANS: dict[Size, str] = {
    "xs": "basic_256mb",
    "s": "basic_1gb",
    "m": "pro_4gb",
    "l": "pro_8gb",
    "xl": "pro_16gb",
}
"""Render Postgres flexible plans by size (https://render.com/docs/postgresql-refresh)."""
HA_POSTGRES_PLAN = "pro_4gb"
"""High availability needs a Pro or Accelerated plan (at least 1 CPU) and PostgreSQL 13+
(https://render.com/docs/postgresql-high-availability): a basic plan asked for HA is raised."""

KEY_VALUE_PLANS: dict[Size, str] = {
    "xs": "starter",
    "s": "starter",
    "m": "standard",
    "l": "pro",
    "xl": "pro_plus",
}
"""Render Key Value plans by size. Never `free`: it has no disk, so a restart loses queued tasks
(https://render.com/docs/key-value#data-persistence)."""

UPSTASH_REGIONS: dict[str, str] = {
    "oregon": "us-west-2",
    "ohio": "us-east-1",
    "virginia": "us-east-1",
    "frankfurt": "eu-central-1",
    "singapore": "ap-southeast-1",
}
"""The Upstash primary region nearest each Render region (Upstash has no us-east-2)."""

R2_LOCATIONS: dict[str, str] = {
    "oregon": "wnam",
    "ohio": "enam",
    "virginia": "enam",
    "frankfurt": "weur",
    "singapore": "apac",
}
"""The R2 location hint nearest each Render region
(https://developers.cloudflare.com/r2/reference/data-location/#location-hints)."""

TRUSTED_PROXIES = 2
"""Requests reach web through Cloudflare's edge and then Render's proxy, and each appends the
address it saw to X-Forwarded-For (`client, cloudflare-edge`, REMOTE_ADDR = Render's proxy), so the
client is the second entry from the right: two trusted hops, no more (docs/render.md, O6)."""

IDLE_TIMEOUT_SECONDS = 105
"""Render publishes no idle timeout for its proxy's upstream connections; its troubleshooting
advice for intermittent 502s is a server keep-alive of 120 s (docs/render.md). Declaring 105 s
makes components/app_env.py give web exactly that (105 + its 15 s margin)."""


@dataclass(frozen=True)
class RenderSettings:
    """`trudeploy:render` from the stack file (validated by stacks/config.py)."""

    owner_id: str
    region: str
    repo: str | None
    branch: str
    registry: Mapping[str, str] | None

    @classmethod
    def from_context(cls, ctx: DeployContext) -> RenderSettings:
        """The settings the program handed over; a clear error when the stack has none."""
        raw: Any = ctx.setting("trudeploy:render")
        if not isinstance(raw, Mapping) or not raw.get("ownerId"):
            raise TargetNotAvailable(
                "target render needs trudeploy:render with ownerId (the Render workspace)"
            )
        return cls(
            owner_id=str(raw["ownerId"]),
            region=str(raw.get("region") or "oregon"),
            repo=raw.get("repo"),
            branch=str(raw.get("branch") or "main"),
            registry=raw.get("registry"),
        )


def service_plan(cpu: float, memory_mb: int) -> str:
    """The smallest Render plan with at least this CPU and memory (core/profiles.py APP_SIZES)."""
    for plan, plan_cpu, plan_memory in SERVICE_PLANS:
        if plan_cpu >= cpu and plan_memory >= memory_mb:
            return plan
    return SERVICE_PLANS[-1][0]


def postgres_plan(size: Size, ha: bool) -> str:
    """The Render Postgres plan for a size, raised to a Pro plan when HA is asked."""
    plan = POSTGRES_PLANS[size]
    return HA_POSTGRES_PLAN if ha and plan.startswith("basic_") else plan
