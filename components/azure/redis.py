"""Azure Managed Redis (the `redisenterprise` API), TLS only, reached through a private endpoint.

Why Managed Redis and not Azure Cache for Redis: Microsoft retires Azure Cache for Redis (Basic,
Standard and Premium: no new caches from 2026, retirement in 2028,
https://learn.microsoft.com/azure/azure-cache-for-redis/retirement-faq) and names Managed Redis as
its successor, so a new stack starts there.

- public network access disabled; a private endpoint in the endpoints subnet, resolving through
  `privatelink.redis.azure.net` (D1, W5);
- `Encrypted` client protocol only, TLS 1.2 minimum; the URL is `rediss://` (D3);
- high availability (a replica in another zone) per profile (D4); off only for development;
- the non-clustered policy (`NoCluster`): one endpoint and no hash slots. The app's clients are
  not cluster-aware, and Celery's Redis transport (kombu) sends multi-key commands — `BRPOP` over a
  queue's priority lists, a `MULTI` of `ZREM` on `unacked_index` and `HDEL` on `unacked` at each
  ack — which the Enterprise policy refuses with CROSSSLOT across slots (it allows only DEL, MSET,
  MGET, EXISTS, UNLINK and TOUCH there). Non-clustered serves caches up to 25 GB, above every
  size in common.REDIS_SKUS (https://learn.microsoft.com/azure/redis/choose-clustering-policy);
  `NoEviction`, because a broker must not lose queued tasks to memory pressure;
- the app authenticates with the database's access key, read once by the program and carried only
  in the secret REDIS_URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.azure.common import REDIS_SKUS, tags
from components.azure.endpoint import EndpointArgs, PrivateEndpoint
from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform, RedisOutputs, RedisSpec

redisenterprise = namespace("redisenterprise", "redis_enterprise", "database", "list_database_keys")


PORT = 10000


@dataclass(frozen=True)
class RedisArgs:
    """The spec plus where the cluster lives and how it is reached privately."""

    spec: RedisSpec
    cluster_name: str
    resource_group: pulumi.Input[str]
    location: str
    subnet_id: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class ManagedRedis(Component):
    """`cluster`, `database` and `outputs`."""

    def __init__(
        self,
        name: str,
        args: RedisArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Redis", name, transform, opts)
        spec = args.spec
        self.cluster = self.child(
            redisenterprise.RedisEnterprise,
            f"{name}-cluster",
            cluster_name=args.cluster_name,
            resource_group_name=args.resource_group,
            location=args.location,
            sku={"name": REDIS_SKUS[spec.size]},
            high_availability="Enabled" if spec.ha else "Disabled",
            minimum_tls_version="1.2",
            public_network_access="Disabled",
            tags=tags(args.tags),
        )
        self.database = self.child(
            redisenterprise.Database,
            f"{name}-db",
            cluster_name=self.cluster.name,
            resource_group_name=args.resource_group,
            database_name="default",
            client_protocol="Encrypted",
            port=PORT,
            clustering_policy="NoCluster",
            eviction_policy="NoEviction",
            access_keys_authentication="Enabled",
        )
        endpoint = PrivateEndpoint(
            f"{name}-private",
            EndpointArgs(
                resource_group=args.resource_group,
                location=args.location,
                subnet_id=args.subnet_id,
                zone_id=args.zone_id,
                target=self.cluster.id,
                group="redisEnterprise",
            ),
            transform=transform,
            opts=pulumi.ResourceOptions(parent=self),
        )
        keys = redisenterprise.list_database_keys_output(
            cluster_name=self.cluster.name,
            database_name=self.database.name,
            resource_group_name=args.resource_group,
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[self.database]),
        )
        # Built from the endpoint's DNS record too, so no process starts before it resolves.
        url = pulumi.Output.all(keys.primary_key, self.cluster.host_name, endpoint.dns.id).apply(
            lambda v: f"rediss://:{v[0]}@{v[1]}:{PORT}/0"
        )
        self.outputs = RedisOutputs(url=pulumi.Output.secret(url))
        self.done({"host": self.cluster.host_name, "url": self.outputs.url})
