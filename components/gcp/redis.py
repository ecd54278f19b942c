"""Redis on Memorystore for Redis: private service access, AUTH, TLS, HA tier in production.

Memorystore for Redis rather than Memorystore for Valkey: it attaches through the same Private
Service Access peering as Cloud SQL (Valkey needs Private Service Connect and a service connection
policy), and gives one primary endpoint with an AUTH string, which is what the app's single
REDIS_URL holds. Redis 7.2 is the newest version it offers
(https://cloud.google.com/memorystore/docs/redis/supported-versions).

With in-transit encryption, the instance's server certificate is signed by a certificate authority
of its own, which clients must trust
(https://cloud.google.com/memorystore/docs/redis/about-in-transit-encryption): the outputs carry
that CA (REDIS_CA_CERT), and the app pins it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.base import Component
from components.contract import ChildTransform, RedisOutputs, RedisSpec
from components.gcp.common import REDIS_GB, labels, resource_id
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(redis=("instance",))

VERSIONS = {7: "REDIS_7_2", 6: "REDIS_6_X"}


@dataclass(frozen=True)
class RedisArgs:
    """The spec plus where the instance lives."""

    spec: RedisSpec
    region: str
    network_id: pulumi.Input[str]
    peering: pulumi.Resource
    reserved_range: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


def ca_bundle(certs: list[dict[str, Any]] | None) -> str:
    """Every CA the instance lists, as one PEM bundle (a rotation lists the old and the new)."""
    return "".join(str(c.get("cert", "")).strip() + "\n" for c in certs or [])


class MemorystoreRedis(Component):
    """A Memorystore for Redis instance reachable only on the stack's VPC."""

    def __init__(
        self,
        name: str,
        args: RedisArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:Redis", name, transform, opts)
        spec = args.spec
        self.instance = self.child(
            gcp.redis.Instance,
            f"{name}-instance",
            name=resource_id(spec.name, 40),
            region=args.region,
            tier="STANDARD_HA" if spec.ha else "BASIC",
            memory_size_gb=REDIS_GB[spec.size],
            redis_version=VERSIONS[spec.version],
            authorized_network=args.network_id,
            connect_mode="PRIVATE_SERVICE_ACCESS",
            reserved_ip_range=args.reserved_range,
            auth_enabled=True,
            transit_encryption_mode="SERVER_AUTHENTICATION",
            # The Celery broker's queue must survive a restart; never evict a key.
            redis_configs={"maxmemory-policy": "noeviction"},
            persistence_config={"persistence_mode": "RDB", "rdb_snapshot_period": "ONE_HOUR"},
            labels=labels(args.tags),
            opts=pulumi.ResourceOptions(depends_on=[args.peering]),
        )
        i = self.instance
        url = pulumi.Output.all(i.auth_string, i.host, i.port).apply(
            lambda v: f"rediss://:{v[0]}@{v[1]}:{v[2]}/0"
        )
        ca = i.server_ca_certs.apply(ca_bundle)
        self.outputs = RedisOutputs(url=pulumi.Output.secret(url), ca_cert=ca)
        self.done({"url": self.outputs.url, "ca_cert": ca})
