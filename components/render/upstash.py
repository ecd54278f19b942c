"""Upstash Redis (`redis.provider: upstash`) through upstash-pulumi, the Upstash Pulumi provider.

A global database with its primary in the Upstash region nearest the Render region, TLS on (D3:
the URL is `rediss://`), eviction off: the service uses Redis as the Celery broker, and an evicted
key is a lost task. Upstash is public by design (D1): there is no private network between Render
and Upstash, so TLS and the password are what protect it (docs/render.md lists the Upstash limits
that matter for a broker). HA follows the profile (`multizone`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import upstash_pulumi as upstash

from components.base import Component
from components.contract import ChildTransform, RedisOutputs, RedisSpec


@dataclass(frozen=True)
class UpstashArgs:
    """The spec plus the Upstash primary region (components/render/common.py UPSTASH_REGIONS)."""

    spec: RedisSpec
    primary_region: str


class UpstashRedis(Component):
    """`outputs`: the contract's RedisOutputs, `rediss://default:<password>@<endpoint>:<port>`."""

    def __init__(
        self,
        name: str,
        args: UpstashArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:UpstashRedis", name, transform, opts)
        spec = args.spec
        database = self.child(
            upstash.RedisDatabase,
            f"{name}-database",
            database_name=spec.name,
            region="global",
            primary_region=args.primary_region,
            tls=True,
            eviction=False,
            multizone=spec.ha,
        )
        url = pulumi.Output.format(
            "rediss://default:{0}@{1}:{2}", database.password, database.endpoint, database.port
        )
        self.outputs = RedisOutputs(url=pulumi.Output.secret(url))
        self.done({"endpoint": database.endpoint})
