"""The Azure target: a resource group per stack; VNet, PostgreSQL Flexible Server, Azure Managed
Redis, Blob Storage, Key Vault, Container Registry and Container Apps.

The program calls postgres, redis, ingress, storage, then service (components/contract.py). The
resource group, network, vault and runtime identity exist from the start: the database keeps its
password in the vault, storage names the identity to the app, and the private DNS zones serve
every stateful service.
"""

from __future__ import annotations

import pulumi

from components.azure.common import compact, dashed, tags
from components.azure.endpoint import EndpointArgs, PrivateEndpoint
from components.azure.environment import AppEnvironment, EnvironmentArgs
from components.azure.identity import IdentityArgs, RuntimeIdentity
from components.azure.image import ImageArgs, RegistryImage
from components.azure.network import Network, NetworkArgs
from components.azure.postgres import FlexiblePostgres, PostgresArgs
from components.azure.redis import ManagedRedis, RedisArgs
from components.azure.sdk import namespace
from components.azure.secrets import Vault, VaultArgs
from components.azure.service import AppService, AppServiceArgs, process_name
from components.azure.storage import BlobStorage, StorageArgs
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

authorization = namespace("authorization", "get_client_config")
resources = namespace("resources", "resource_group")

TRUSTED_PROXIES = 1
"""Container Apps' ingress (Envoy) appends the client's address to X-Forwarded-For and vouches
only for the rightmost one (https://learn.microsoft.com/azure/container-apps/ingress-overview#http-headers)."""
IDLE_TIMEOUT = 240
"""The ingress ends a request after 240 s (same page, "HTTP"): keep-alive must outlive it."""


class AzureTarget(BaseTarget):
    """One subscription (the deployer's `az login`), one location (`azure-native:location`)."""

    name = "azure"

    def __init__(self, ctx: DeployContext) -> None:
        super().__init__(ctx)
        location = ctx.setting("azure-native:location")
        if not location:
            raise TargetNotAvailable("target azure needs `azure-native:location`")
        self.location = str(location)
        prefix = ctx.prefix()
        client = authorization.get_client_config_output()
        self.group = resources.ResourceGroup(
            f"{prefix}-rg",
            resource_group_name=dashed(f"{prefix}-rg", 90),
            location=self.location,
            tags=tags(ctx.tags),
        )
        rg = self.group.name
        self.network = Network(
            f"{prefix}-network",
            NetworkArgs(
                resource_group=rg,
                location=self.location,
                postgres_zone=f"{prefix}.private.postgres.database.azure.com",
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        self.vault = Vault(
            f"{prefix}-vault",
            VaultArgs(
                name=compact(f"{prefix}-kv", 24),
                resource_group=rg,
                location=self.location,
                tenant_id=client.tenant_id,
                protected=ctx.profile.deletion_protection,
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        self.vault_endpoint = self._endpoint(
            f"{prefix}-vault-private", self.vault.vault.id, "vault"
        )
        self.identity = RuntimeIdentity(
            f"{prefix}-identity",
            IdentityArgs(
                name=dashed(f"{prefix}-app", 128),
                resource_group=rg,
                location=self.location,
                subscription_id=client.subscription_id,
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        self.identity.grant("vault-reader", "Key Vault Secrets User", self.vault.vault.id)
        self._storage: BlobStorage | None = None
        self._environment: AppEnvironment | None = None

    def _endpoint(self, name: str, target: pulumi.Input[str], group: str) -> PrivateEndpoint:
        zone = {"vault": "vault", "blob": "blob", "redisEnterprise": "redis"}[group]
        return PrivateEndpoint(
            name,
            EndpointArgs(
                resource_group=self.group.name,
                location=self.location,
                subnet_id=self.network.subnets["endpoints"].id,
                zone_id=self.network.zones[zone].id,
                target=target,
                group=group,
            ),
            transform=self.ctx.transform,
        )

    def postgres(self, spec: PostgresSpec) -> PostgresOutputs:
        if spec.provider != "native":
            self.unsupported("postgres", spec.provider, ("native", "external"))
        pg = FlexiblePostgres(
            spec.name,
            PostgresArgs(
                spec=spec,
                server_name=dashed(spec.name, 63),
                resource_group=self.group.name,
                location=self.location,
                subnet_id=self.network.subnets["postgres"].id,
                zone_id=self.network.zones["postgres"].id,
                zone_ready=[self.network],
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        self.vault.put("POSTGRES_ADMIN_PASSWORD", pg.password.result)
        return pg.outputs

    def redis(self, spec: RedisSpec) -> RedisOutputs:
        if spec.provider != "native":
            self.unsupported("redis", spec.provider, ("native", "external"))
        return ManagedRedis(
            spec.name,
            RedisArgs(
                spec=spec,
                cluster_name=dashed(spec.name, 60),
                resource_group=self.group.name,
                location=self.location,
                subnet_id=self.network.subnets["endpoints"].id,
                zone_id=self.network.zones["redis"].id,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        ).outputs

    def storage(self, spec: StorageSpec) -> StorageOutputs:
        if spec.provider != "native":
            self.unsupported("storage", spec.provider, ("native",))
        self._storage = BlobStorage(
            spec.name,
            StorageArgs(
                spec=spec,
                account_name=compact(self.ctx.prefix(), 24),
                resource_group=self.group.name,
                location=self.location,
                subnet_id=self.network.subnets["endpoints"].id,
                zone_id=self.network.zones["blob"].id,
                identity_client_id=self.identity.identity.client_id,
                protected=self.ctx.profile.deletion_protection,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        self.identity.grant(
            "blob-contributor", "Storage Blob Data Contributor", self._storage.container.id
        )
        self.identity.grant("blob-delegator", "Storage Blob Delegator", self._storage.account.id)
        return self._storage.outputs

    def ingress(self, spec: ServiceSpec) -> Ingress:
        ctx = self.ctx
        self._environment = AppEnvironment(
            f"{spec.name}-environment",
            EnvironmentArgs(
                prefix=spec.name,
                resource_group=self.group.name,
                location=self.location,
                subnet_id=self.network.subnets["apps"].id,
                log_retention_days=spec.log_retention_days,
                zone_redundant=ctx.profile.deletion_protection,
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        # Container Apps names web `<app>.<environment's default domain>`; with a custom domain
        # the app answers only to that one.
        web = process_name(spec, "web")
        host = (
            pulumi.Output.from_input(spec.domain)
            if spec.domain
            else self._environment.default_domain.apply(lambda domain: f"{web}.{domain}")
        )
        return Ingress(
            hosts=host.apply(lambda h: [h]),
            base_url=host.apply(lambda h: f"https://{h}"),
            trusted_proxies=TRUSTED_PROXIES,
            idle_timeout_seconds=IDLE_TIMEOUT,
        )

    def service(self, spec: ServiceSpec, env: AppEnv) -> ServiceOutputs:
        if self._storage is None or self._environment is None:
            raise RuntimeError("the program declares storage and ingress before the service")
        ctx = self.ctx
        image = RegistryImage(
            f"{spec.name}-image",
            ImageArgs(
                spec=spec.image,
                registry_name=compact(ctx.prefix(), 50),
                resource_group=self.group.name,
                location=self.location,
                tag=ctx.stack,
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        self.identity.grant("acr-pull", "AcrPull", image.registry.id)
        uris = {key: self.vault.put(key, value) for key, value in sorted(env.secret.items())}
        svc = AppService(
            spec.name,
            AppServiceArgs(
                spec=spec,
                env=env,
                image=image.ref,
                registry=image.server,
                resource_group=self.group.name,
                location=self.location,
                environment=self._environment.environment,
                identity_id=self.identity.identity.id,
                secret_uris=uris,
                ready=[
                    *self.identity.grants,
                    *self.vault.secrets.values(),
                    self.vault_endpoint,
                ],
                tags=ctx.tags,
            ),
            transform=ctx.transform,
        )
        # The URL is ready once web is: resolve it after the web app.
        url = pulumi.Output.all(self._ingress_url(spec), svc.fqdn).apply(lambda v: str(v[0]))
        return ServiceOutputs(url=url)

    def _ingress_url(self, spec: ServiceSpec) -> pulumi.Output[str]:
        if spec.domain:
            return pulumi.Output.from_input(f"https://{spec.domain}")
        assert self._environment is not None
        web = process_name(spec, "web")
        return self._environment.default_domain.apply(lambda d: f"https://{web}.{d}")
