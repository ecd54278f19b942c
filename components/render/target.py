"""The Render target: the service on Render, its data on Render or on Neon / Upstash, media on
Cloudflare R2 or AWS S3 (Render has no object storage).

The program calls postgres, redis, ingress, storage, then service (components/contract.py). The
provider SDK of each override (pulumi_neon, upstash_pulumi, pulumi_cloudflare, pulumi_aws) is
imported only when the stack selects it, so a stack pays only for what it uses.
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
from components.render.common import (
    IDLE_TIMEOUT_SECONDS,
    R2_LOCATIONS,
    TRUSTED_PROXIES,
    UPSTASH_REGIONS,
    RenderSettings,
)
from core.vocabulary import Env


class RenderTarget(BaseTarget):
    """One Render workspace and region (`trudeploy:render`)."""

    name = "render"

    def __init__(self, ctx: DeployContext) -> None:
        super().__init__(ctx)
        self.settings = RenderSettings.from_context(ctx)

    def postgres(self, spec: PostgresSpec) -> PostgresOutputs:
        if spec.provider == "native":
            from components.render.postgres import PostgresArgs, RenderPostgres

            args = PostgresArgs(
                spec=spec, owner_id=self.settings.owner_id, region=self.settings.region
            )
            return RenderPostgres(spec.name, args, transform=self.ctx.transform).outputs
        if spec.provider == "neon":
            from components.render.neon import NeonArgs, NeonPostgres

            return NeonPostgres(
                spec.name, NeonArgs(spec=spec), transform=self.ctx.transform
            ).outputs
        self.unsupported("postgres", spec.provider, ("native", "neon", "external"))
        raise AssertionError("unreachable")

    def redis(self, spec: RedisSpec) -> RedisOutputs:
        if spec.provider == "native":
            from components.render.redis import RedisArgs, RenderKeyValue

            args = RedisArgs(
                spec=spec, owner_id=self.settings.owner_id, region=self.settings.region
            )
            return RenderKeyValue(spec.name, args, transform=self.ctx.transform).outputs
        if spec.provider == "upstash":
            from components.render.upstash import UpstashArgs, UpstashRedis

            args_u = UpstashArgs(spec=spec, primary_region=UPSTASH_REGIONS[self.settings.region])
            return UpstashRedis(spec.name, args_u, transform=self.ctx.transform).outputs
        self.unsupported("redis", spec.provider, ("native", "upstash", "external"))
        raise AssertionError("unreachable")

    def storage(self, spec: StorageSpec) -> StorageOutputs:
        provider = self.ctx.provider("storage")
        raw = self.ctx.setting("trudeploy:storage")
        storage = raw if isinstance(raw, dict) else {}
        if provider == "r2":
            from components.render.r2 import R2Args, R2Bucket

            account = storage.get("accountId")
            if not account:
                raise TargetNotAvailable("storage.provider r2 needs storage.accountId")
            args = R2Args(
                spec=spec, account_id=str(account), location=R2_LOCATIONS[self.settings.region]
            )
            return R2Bucket(spec.name, args, transform=self.ctx.transform).outputs
        if provider == "s3":
            from components.render.s3 import S3Args, S3Storage

            region = self.ctx.setting("aws:region")
            if not region:
                raise TargetNotAvailable("storage.provider s3 needs `aws:region`")
            args_s3 = S3Args(spec=spec, region=str(region), tags=self.ctx.tags)
            return S3Storage(spec.name, args_s3, transform=self.ctx.transform).outputs
        self.unsupported("storage", provider, ("r2", "s3"))
        raise AssertionError("unreachable")

    def ingress(self, spec: ServiceSpec) -> Ingress:
        # With a domain, web serves only it (the onrender.com subdomain is disabled); without
        # one, Render serves `<service name>.onrender.com` (components/render/service.py).
        host = spec.domain or f"{spec.name}-web.onrender.com"
        return Ingress(
            hosts=pulumi.Output.from_input([host]),
            base_url=pulumi.Output.from_input(f"https://{host}"),
            trusted_proxies=TRUSTED_PROXIES,
            idle_timeout_seconds=IDLE_TIMEOUT_SECONDS,
        )

    def service(self, spec: ServiceSpec, env: AppEnv) -> ServiceOutputs:
        from components.render.image import AppSource, ImageArgs
        from components.render.service import RenderService, ServiceArgs

        settings = self.settings
        source = AppSource(
            f"{spec.name}-source",
            ImageArgs(
                spec=spec.image,
                repo_root=self.ctx.repo_root,
                owner_id=settings.owner_id,
                repo=settings.repo,
                branch=settings.branch,
                registry=settings.registry,
            ),
            transform=self.ctx.transform,
        )
        svc = RenderService(
            spec.name,
            ServiceArgs(
                spec=spec,
                env=env,
                source=source,
                owner_id=settings.owner_id,
                region=settings.region,
                autoscale=self.ctx.env == Env.production,
            ),
            transform=self.ctx.transform,
        )
        return ServiceOutputs(url=svc.url)
