"""The docker target: the seed's docker-compose stack as Pulumi resources on the local daemon."""

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
)
from components.docker.image import AppImage, ImageArgs
from components.docker.network import NetworkArgs, PrivateNetwork
from components.docker.postgres import PostgresArgs, PostgresContainer
from components.docker.redis import RedisArgs, RedisContainer
from components.docker.service import DockerService, ServiceArgs
from components.docker.storage import MinioStorage, StorageArgs


class DockerTarget(BaseTarget):
    """Everything on one Docker host. HA and managed backups do not exist here; the profile's
    sizing still applies to the app's containers (cpu/memory), and production settings that a
    single host cannot honour are documented in docs/architecture.md rather than faked."""

    name = "docker"

    def __init__(self, ctx: DeployContext) -> None:
        super().__init__(ctx)
        self.network = PrivateNetwork(
            f"{ctx.prefix()}-network",
            NetworkArgs(prefix=ctx.prefix(), tags=ctx.tags),
            transform=ctx.transform,
        )

    def postgres(self, spec: PostgresSpec) -> PostgresOutputs:
        if spec.provider != "native":
            self.unsupported("postgres", spec.provider, ("native", "external"))
        return PostgresContainer(
            spec.name,
            PostgresArgs(spec=spec, network=self.network.backend_name, tags=self.ctx.tags),
            transform=self.ctx.transform,
        ).outputs

    def redis(self, spec: RedisSpec) -> RedisOutputs:
        if spec.provider != "native":
            self.unsupported("redis", spec.provider, ("native", "external"))
        return RedisContainer(
            spec.name,
            RedisArgs(spec=spec, network=self.network.backend_name, tags=self.ctx.tags),
            transform=self.ctx.transform,
        ).outputs

    def storage(self, spec: StorageSpec) -> StorageOutputs:
        return MinioStorage(
            spec.name,
            StorageArgs(spec=spec, network=self.network.backend_name, tags=self.ctx.tags),
            transform=self.ctx.transform,
        ).outputs

    def ingress(self, spec: ServiceSpec) -> Ingress:
        hosts = [spec.domain] if spec.domain else ["localhost", "127.0.0.1"]
        return Ingress(
            hosts=pulumi.Output.from_input(hosts),
            base_url=pulumi.Output.from_input(f"http://{hosts[0]}:{spec.port}"),
            # web's port is published straight from the container: no proxy to trust
            trusted_proxies=0,
        )

    def service(self, spec: ServiceSpec, env: AppEnv) -> ServiceOutputs:
        image = AppImage(
            f"{spec.name}-image",
            ImageArgs(spec=spec.image, tag=f"{spec.name}:latest"),
            transform=self.ctx.transform,
        )
        svc = DockerService(
            spec.name,
            ServiceArgs(
                spec=spec,
                env=env,
                image=image.ref,
                backend_network=self.network.backend_name,
                edge_network=self.network.edge_name,
                public_host=(spec.domain or "localhost"),
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        return ServiceOutputs(url=svc.url)
