"""The GCP target: VPC, Cloud SQL, Memorystore, Cloud Storage, Artifact Registry and Cloud Run.

The program calls postgres, redis, ingress, storage, then service (components/contract.py); the
network exists from the start because the first two need its private service access, and the
target keeps what later calls need (the bucket, the public entry).
"""

from __future__ import annotations

import pulumi

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
from components.gcp.iam import RuntimeIdentity, RuntimeIdentityArgs
from components.gcp.image import ImageArgs, RegistryImage
from components.gcp.loadbalancer import LoadBalancerArgs, PublicEntry
from components.gcp.logs import LogsArgs, ServiceLogs
from components.gcp.network import Network, NetworkArgs
from components.gcp.postgres import CloudSqlPostgres, PostgresArgs
from components.gcp.redis import MemorystoreRedis, RedisArgs
from components.gcp.secrets import SecretStore, SecretStoreArgs
from components.gcp.service import AppService, AppServiceArgs, process_name
from components.gcp.storage import GcsBucket, StorageArgs


class GcpTarget(BaseTarget):
    """One project (`gcp:project`), one region (`gcp:region`), managed services throughout."""

    name = "gcp"

    def __init__(self, ctx: DeployContext) -> None:
        super().__init__(ctx)
        project, region = ctx.setting("gcp:project"), ctx.setting("gcp:region")
        if not project or not region:
            raise TargetNotAvailable("target gcp needs `gcp:project` and `gcp:region`")
        self.project, self.region = str(project), str(region)
        self.network = Network(
            f"{ctx.prefix()}-network", NetworkArgs(region=self.region), transform=ctx.transform
        )
        self._bucket: GcsBucket | None = None
        self._entry: PublicEntry | None = None

    def postgres(self, spec: PostgresSpec) -> PostgresOutputs:
        if spec.provider != "native":
            self.unsupported("postgres", spec.provider, ("native", "external"))
        return CloudSqlPostgres(
            spec.name,
            PostgresArgs(
                spec=spec,
                region=self.region,
                network_id=self.network.network_id,
                peering=self.network.connection,
                reserved_range=self.network.reserved_range,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        ).outputs

    def redis(self, spec: RedisSpec) -> RedisOutputs:
        if spec.provider != "native":
            self.unsupported("redis", spec.provider, ("native", "external"))
        return MemorystoreRedis(
            spec.name,
            RedisArgs(
                spec=spec,
                region=self.region,
                network_id=self.network.network_id,
                peering=self.network.connection,
                reserved_range=self.network.reserved_range,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        ).outputs

    def storage(self, spec: StorageSpec) -> StorageOutputs:
        if spec.provider != "native":
            self.unsupported("storage", spec.provider, ("native",))
        self._bucket = GcsBucket(
            spec.name,
            StorageArgs(
                spec=spec,
                location=self.region,
                protected=self.ctx.profile.deletion_protection,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        return self._bucket.outputs

    def ingress(self, spec: ServiceSpec) -> Ingress:
        self._entry = PublicEntry(
            f"{spec.name}-entry",
            LoadBalancerArgs(
                service_name=process_name(spec, "web"),
                region=self.region,
                project=self.project,
                domain=spec.domain,
            ),
            transform=self.ctx.transform,
        )
        return self._entry.ingress

    def service(self, spec: ServiceSpec, env: AppEnv) -> ServiceOutputs:
        if self._entry is None or self._bucket is None:
            raise RuntimeError("the program declares storage and ingress before the service")
        ctx = self.ctx
        identity = RuntimeIdentity(
            f"{spec.name}-identity",
            RuntimeIdentityArgs(
                account_id=f"{ctx.prefix()}-run",
                project=self.project,
                bucket=self._bucket.bucket.name,
            ),
            transform=ctx.transform,
        )
        secrets = SecretStore(
            f"{spec.name}-secrets",
            SecretStoreArgs(
                prefix=spec.name, values=env.secret, reader=identity.member, tags=ctx.tags
            ),
            transform=ctx.transform,
        )
        image = RegistryImage(
            f"{spec.name}-image",
            ImageArgs(
                spec=spec.image,
                repository=spec.name,
                region=self.region,
                project=self.project,
                tag=ctx.stack,
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        ServiceLogs(
            f"{spec.name}-logs",
            LogsArgs(
                project=self.project, prefix=spec.name, retention_days=spec.log_retention_days
            ),
            transform=ctx.transform,
        )
        svc = AppService(
            spec.name,
            AppServiceArgs(
                spec=spec,
                env=env,
                image=image.ref,
                region=self.region,
                service_account=identity.email,
                network_id=self.network.network_id,
                subnet_id=self.network.subnet_id,
                secret_refs=secrets.refs,
                ready=[*secrets.ready, *identity.grants],
                behind_lb=self._entry.behind_lb,
                protected=ctx.profile.deletion_protection,
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        if self._entry.address is not None:
            pulumi.export("loadBalancerAddress", self._entry.address)
        # The URL is ready once web is: resolve it after the web service.
        url = pulumi.Output.all(self._entry.ingress.base_url, svc.web.uri).apply(
            lambda v: str(v[0])
        )
        return ServiceOutputs(url=url)
