"""The AWS target: VPC, RDS, ElastiCache, S3, ECR and ECS Fargate behind an ALB.

The program calls postgres, redis, ingress, storage, then service (components/contract.py); the
network exists from the start because the first three need its private subnets and the service's
security group, and the target keeps what later calls need (bucket ARN, load balancer).

Profile switches: `audit_logs` adds the audit log bucket (ALB and media-bucket access logs) and
VPC flow logs; `edge_protection` a WAF web ACL on the balancer; `private_endpoints` the interface
VPC endpoints (the S3 gateway endpoint is free and always there). Outside production
(`deletion_protection` off) `pulumi destroy` empties buckets and the image repository itself.
"""

from __future__ import annotations

import pulumi

from components.aws.endpoints import EndpointsArgs, PrivateEndpoints
from components.aws.flowlogs import FlowLogs, FlowLogsArgs
from components.aws.image import EcrImage, ImageArgs
from components.aws.loadbalancer import LoadBalancer, LoadBalancerArgs
from components.aws.logbucket import LogBucket, LogBucketArgs
from components.aws.network import Network, NetworkArgs
from components.aws.postgres import PORT as POSTGRES_PORT
from components.aws.postgres import PostgresArgs, RdsPostgres
from components.aws.redis import PORT as REDIS_PORT
from components.aws.redis import ElastiCacheRedis, RedisArgs
from components.aws.service import AppService, AppServiceArgs
from components.aws.storage import S3Bucket, StorageArgs
from components.aws.waf import FirewallArgs, WebFirewall
from components.contract import (
    AppEnv,
    BaseTarget,
    DeployContext,
    Ingress,
    PostgresOutputs,
    PostgresSpec,
    RedisOutputs,
    RedisSpec,
    ServiceOutputs,
    ServiceSpec,
    StorageOutputs,
    StorageSpec,
    TargetNotAvailable,
)


class AwsTarget(BaseTarget):
    """One region (`aws:region`), one VPC, managed services for every capability."""

    name = "aws"

    def __init__(self, ctx: DeployContext) -> None:
        super().__init__(ctx)
        region = ctx.setting("aws:region")
        if not region:
            raise TargetNotAvailable("target aws needs `aws:region` in the stack config")
        self.region = str(region)
        profile = ctx.profile
        self.network = Network(
            f"{ctx.prefix()}-network",
            # A zone outage the database survives (Multi-AZ) must not cut the tasks off either.
            NetworkArgs(region=self.region, nat_per_zone=profile.postgres_ha, tags=ctx.tags),
            transform=ctx.transform,
        )
        prefix = ctx.prefix()
        PrivateEndpoints(
            f"{prefix}-endpoints",
            EndpointsArgs(
                region=self.region,
                vpc_id=self.network.vpc_id,
                private_subnet_ids=self.network.private_subnet_ids,
                private_route_table_ids=self.network.private_route_table_ids,
                service_security_group_id=self.network.service_security_group_id,
                interface=profile.private_endpoints,
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        self._logs: LogBucket | None = None
        if profile.audit_logs:
            FlowLogs(
                f"{prefix}-flow-logs",
                FlowLogsArgs(
                    vpc_id=self.network.vpc_id,
                    log_group_name=f"/vpc/{prefix}/flow-logs",
                    retention_days=profile.log_retention_days,
                    tags=ctx.tags,
                ),
                transform=ctx.transform,
            )
            self._logs = LogBucket(
                f"{prefix}-audit-logs",
                LogBucketArgs(
                    bucket=f"{prefix}-logs",
                    region=self.region,
                    retention_days=profile.log_retention_days,
                    force_destroy=not profile.deletion_protection,
                    tags=ctx.tags,
                ),
                transform=ctx.transform,
            )
        self._bucket: S3Bucket | None = None
        self._lb: LoadBalancer | None = None

    def postgres(self, spec: PostgresSpec) -> PostgresOutputs:
        if spec.provider != "native":
            self.unsupported("postgres", spec.provider, ("native", "external"))
        return RdsPostgres(
            spec.name,
            PostgresArgs(
                spec=spec,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids,
                service_security_group_id=self.network.service_security_group_id,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        ).outputs

    def redis(self, spec: RedisSpec) -> RedisOutputs:
        if spec.provider != "native":
            self.unsupported("redis", spec.provider, ("native", "external"))
        return ElastiCacheRedis(
            spec.name,
            RedisArgs(
                spec=spec,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids,
                service_security_group_id=self.network.service_security_group_id,
                snapshot_days=self.ctx.profile.cache_snapshot_days,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        ).outputs

    def storage(self, spec: StorageSpec) -> StorageOutputs:
        self._bucket = S3Bucket(
            spec.name,
            StorageArgs(
                spec=spec,
                region=self.region,
                force_destroy=not self.ctx.profile.deletion_protection,
                access_logs=self._logs.s3 if self._logs else None,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        return self._bucket.outputs

    def ingress(self, spec: ServiceSpec) -> Ingress:
        self._lb = LoadBalancer(
            f"{spec.name}-lb",
            LoadBalancerArgs(
                vpc_id=self.network.vpc_id,
                public_subnet_ids=self.network.public_subnet_ids,
                service_security_group_id=self.network.service_security_group_id,
                port=spec.port,
                health=spec.health,
                domain=spec.domain,
                deletion_protection=self.ctx.profile.deletion_protection,
                dns_zone=_str_or_none(self.ctx.setting("trudeploy:dnsZone")),
                access_logs=self._logs.alb if self._logs else None,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        if self.ctx.profile.edge_protection:
            WebFirewall(
                f"{spec.name}-waf",
                FirewallArgs(
                    name=spec.name,
                    load_balancer_arn=self._lb.arn,
                    retention_days=self.ctx.profile.log_retention_days,
                    tags=self.ctx.tags,
                ),
                transform=self.ctx.transform,
            )
        return self._lb.ingress

    def service(self, spec: ServiceSpec, env: AppEnv) -> ServiceOutputs:
        if self._lb is None or self._bucket is None:
            raise RuntimeError("the program declares storage and ingress before the service")
        if self.ctx.provider("postgres") != "native":
            self.network.allow_internet_egress("postgres", POSTGRES_PORT)
        if self.ctx.provider("redis") != "native":
            self.network.allow_internet_egress("redis", REDIS_PORT)
        image = EcrImage(
            f"{spec.name}-image",
            ImageArgs(
                spec=spec.image,
                repository=spec.name,
                tag=self.ctx.stack,
                force_delete=not self.ctx.profile.deletion_protection,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        svc = AppService(
            spec.name,
            AppServiceArgs(
                spec=spec,
                env=env,
                image=image.ref,
                repository_arn=image.repository_arn,
                region=self.region,
                private_subnet_ids=self.network.private_subnet_ids,
                service_security_group_id=self.network.service_security_group_id,
                target_group_arn=self._lb.target_group.arn,
                listeners=list(self._lb.listeners),
                bucket_arn=self._bucket.arn,
                protected=self.ctx.profile.deletion_protection,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        pulumi.export("loadBalancerDnsName", self._lb.dns_name)
        if self._lb.records_to_create is not None:
            pulumi.export("dnsRecordsToCreate", self._lb.records_to_create)
        # The URL is ready once web is: resolve it after the web service.
        url = pulumi.Output.all(self._lb.ingress.base_url, svc.services["web"].id).apply(
            lambda v: str(v[0])
        )
        return ServiceOutputs(url=url)


def _str_or_none(value: object | None) -> str | None:
    """A setting as text (the engine hands config values as strings or decoded JSON)."""
    return None if value is None else str(value)
