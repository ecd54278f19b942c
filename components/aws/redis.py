"""Redis on ElastiCache: private, TLS in transit with an AUTH token, encrypted at rest,
replicated with automatic failover across zones when the profile asks for HA, and snapshotted
daily for the profile's `cache_snapshot_days` (queued Celery tasks and sessions survive losing
the node, up to the last snapshot)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_random as random

from components.aws.common import CACHE_NODES, physical_name
from components.aws.network import private_group
from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform, RedisOutputs, RedisSpec

aws = pulumi_aws(elasticache=("replication_group", "subnet_group"))

PORT = 6379

ENGINES: dict[int, tuple[str, str]] = {7: ("valkey", "7.2"), 6: ("redis", "6.2")}
"""Redis 7 is served by Valkey 7.2 (the Redis 7.2 protocol, cheaper on ElastiCache and where AWS
puts new features); Redis 6 by ElastiCache's Redis OSS 6.2."""


@dataclass(frozen=True)
class RedisArgs:
    """The spec plus where the cache lives and who may reach it."""

    spec: RedisSpec
    vpc_id: pulumi.Input[str]
    subnet_ids: list[pulumi.Input[str]]
    service_security_group_id: pulumi.Input[str]
    snapshot_days: int = 0
    """Daily snapshots kept (profile `cache_snapshot_days`); 0 takes none."""
    tags: Mapping[str, str] = field(default_factory=dict)


SNAPSHOT_WINDOW = "03:00-04:00"
MAINTENANCE_WINDOW = "sun:05:00-sun:06:00"
"""UTC; ElastiCache requires the two windows not to overlap."""


class ElastiCacheRedis(Component):
    """A replication group reachable only from the service's security group; `url` is `rediss://`."""

    def __init__(
        self,
        name: str,
        args: RedisArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:Redis", name, transform, opts)
        spec, tags = args.spec, dict(args.tags)
        engine, version = ENGINES[spec.version]
        group = private_group(
            self,
            f"{name}-sg",
            vpc_id=args.vpc_id,
            service_security_group_id=args.service_security_group_id,
            port=PORT,
            description="Redis",
            tags=tags,
        )
        subnets = self.child(
            aws.elasticache.SubnetGroup,
            f"{name}-subnets",
            name=physical_name(spec.name, 255),
            subnet_ids=args.subnet_ids,
            description=f"{spec.name}: private subnets",
            tags=tags,
        )
        # ElastiCache AUTH tokens: 16-128 printable characters without @, " or /.
        token = self.child(random.RandomPassword, f"{name}-auth-token", length=64, special=False)
        self.group = self.child(
            aws.elasticache.ReplicationGroup,
            f"{name}-group",
            replication_group_id=physical_name(spec.name, 40),
            description=f"{spec.name}: cache, sessions and Celery broker",
            engine=engine,
            engine_version=version,
            node_type=CACHE_NODES[spec.size],
            num_cache_clusters=2 if spec.ha else 1,
            automatic_failover_enabled=spec.ha,
            multi_az_enabled=spec.ha,
            port=PORT,
            subnet_group_name=subnets.name,
            security_group_ids=[group.id],
            transit_encryption_enabled=True,
            at_rest_encryption_enabled=True,
            auth_token=token.result,
            auto_minor_version_upgrade=True,
            snapshot_retention_limit=args.snapshot_days,
            snapshot_window=SNAPSHOT_WINDOW if args.snapshot_days else None,
            maintenance_window=MAINTENANCE_WINDOW,
            tags=tags,
        )
        host = self.group.primary_endpoint_address
        self.outputs = RedisOutputs(
            url=pulumi.Output.secret(
                pulumi.Output.format(
                    "rediss://:{0}@{1}:{2}/0?ssl_cert_reqs=required", token.result, host, PORT
                )
            )
        )
        self.done({"host": host, "port": PORT, "url": self.outputs.url})
