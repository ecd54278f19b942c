"""The Pulumi program: typed stack config -> target -> components -> exports.

`pulumi up` runs it through `stacks/__main__.py`; the offline plan (stacks/offline/) runs the very
same `run()` under Pulumi's mock runtime. Nothing here knows a cloud: the target comes from the
registry, specs from the profile table, and the app environment from components/app_env.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env, is_config_secret

from components import registry
from components.app_env import build_app_env
from components.contract import (
    PROCESSES,
    ChildTransform,
    DeployContext,
    HealthSpec,
    ImageSpec,
    PostgresOutputs,
    PostgresSpec,
    ProcessName,
    ProcessSpec,
    RedisOutputs,
    RedisSpec,
    ServiceSpec,
    StackOutputs,
    StorageOutputs,
    StorageSpec,
)
from components.external import external_postgres, external_redis
from components.secrets import AppSecrets
from core.profiles import APP_SIZES, Profile
from stacks.config import (
    NAMESPACE,
    BuildConfig,
    StackConfig,
    check_names,
    parse_stack_config,
)
from stacks.profiles import resolve

REPO_ROOT = Path(__file__).resolve().parent.parent


def runtime_config() -> StackConfig:
    """The stack config as the engine (or the offline plan) handed it to this process.

    Values arrive as strings, structured ones JSON-encoded; secret values arrive decrypted and are
    replaced here by a marker, because the program reads them only through `Config.require_secret`.
    """
    merged: dict[str, Any] = {**get_config_env(), **CONFIG.get()}
    raw = {
        key: {"secure": "runtime"} if is_config_secret(key) else _decode(value)
        for key, value in merged.items()
    }
    source = f"Pulumi.{pulumi.get_stack()}.yaml"
    config = parse_stack_config(raw, source)
    check_names(pulumi.get_project(), pulumi.get_stack(), config.target, source)
    return config


def _decode(value: Any) -> Any:
    """Config values are strings; objects, lists, numbers and booleans arrive JSON-encoded."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _process(
    name: ProcessName, replicas: int, profile: Profile, *, long_lived: bool = True
) -> ProcessSpec:
    cpu, memory = APP_SIZES[profile.app_size]
    return ProcessSpec(
        name=name,
        command=(name,),
        replicas=replicas,
        cpu=cpu,
        memory_mb=memory,
        long_lived=long_lived,
        serves_http=name == "web",
    )


def service_spec(ctx: DeployContext, cfg: StackConfig) -> ServiceSpec:
    """The service the stack asks for: four processes sized by the profile (beat always once)."""
    profile = ctx.profile
    replicas = {
        "release": 1,
        "web": profile.web_replicas,
        "worker": profile.worker_replicas,
        "beat": 1,
    }
    processes = {
        name: _process(name, replicas[name], profile, long_lived=name != "release")
        for name in PROCESSES
    }
    if cfg.app.image is not None:
        image = ImageSpec(image=cfg.app.image)
    else:
        build = cfg.app.build or BuildConfig()
        image = ImageSpec(
            context=ctx.repo_root / build.context, dockerfile=ctx.repo_root / build.dockerfile
        )
    return ServiceSpec(
        name=f"{ctx.prefix()}-app",
        image=image,
        processes=processes,
        port=cfg.app.port,
        health=HealthSpec(),
        domain=cfg.domain,
        max_web_replicas=profile.web_max_replicas,
        log_retention_days=profile.log_retention_days,
    )


def deploy(ctx: DeployContext, cfg: StackConfig) -> StackOutputs:
    """Declare the whole stack on its target and return the contract outputs."""
    profile = ctx.profile
    target = registry.load_target(cfg.target)(ctx)
    secrets_cfg = pulumi.Config(NAMESPACE)
    prefix = ctx.prefix()

    secrets = AppSecrets(f"{prefix}-secrets", transform=ctx.transform)

    postgres: PostgresOutputs
    if cfg.postgres.provider == "external":
        postgres = external_postgres(secrets_cfg.require_secret("postgresUrl"))
    else:
        postgres = target.postgres(
            PostgresSpec(
                name=f"{prefix}-postgres",
                version=cfg.postgres.version,
                size=profile.postgres_size,
                storage_gb=profile.postgres_storage_gb,
                ha=profile.postgres_ha,
                backup_retention_days=profile.backup_retention_days,
                point_in_time_recovery=profile.point_in_time_recovery,
                deletion_protection=profile.deletion_protection,
                final_snapshot=profile.final_snapshot,
                database=cfg.postgres.database,
                provider=cfg.postgres.provider,
            )
        )

    redis: RedisOutputs
    if cfg.redis.provider == "external":
        redis = external_redis(secrets_cfg.require_secret("redisUrl"))
    else:
        redis = target.redis(
            RedisSpec(
                name=f"{prefix}-redis",
                version=cfg.redis.version,
                size=profile.redis_size,
                ha=profile.redis_ha,
                provider=cfg.redis.provider,
            )
        )

    spec = service_spec(ctx, cfg)
    ingress = target.ingress(spec)
    storage = target.storage(
        StorageSpec(
            name=f"{prefix}-storage",
            bucket=cfg.storage.bucket or f"{prefix}-media",
            versioning=profile.storage_versioning,
            noncurrent_version_days=profile.noncurrent_version_days,
        )
    )
    sentry = secrets_cfg.get_secret("sentryDsn") if cfg.sentry_dsn is not None else None
    env = build_app_env(
        env=cfg.env,
        port=spec.port,
        secret_key=secrets.secret_key,
        postgres=postgres,
        redis=redis,
        storage=storage,
        ingress=ingress,
        sentry_dsn=sentry,
    )
    service = target.service(spec, env)
    return StackOutputs(service=service, postgres=postgres, redis=redis, storage=storage, env=env)


def export(outputs: StackOutputs) -> None:
    """The stack outputs every target exports; credentials only as secrets."""
    pulumi.export("url", outputs.service.url)
    pulumi.export("postgresHost", outputs.postgres.host)
    pulumi.export("postgresPort", outputs.postgres.port)
    pulumi.export("postgresDatabase", outputs.postgres.database)
    pulumi.export("databaseUrl", pulumi.Output.secret(outputs.postgres.url))
    pulumi.export("redisUrl", pulumi.Output.secret(outputs.redis.url))
    if outputs.redis.ca_cert is not None:
        # The instance's own CA (Memorystore): a client of redisUrl must pin it, the move too.
        pulumi.export("redisCaCert", outputs.redis.ca_cert)
    pulumi.export("bucket", outputs.storage.bucket)
    export_storage(outputs.storage)
    pulumi.export("envKeys", outputs.env.keys())


def export_storage(storage: StorageOutputs) -> None:
    """What `trudeploy migrate storage` needs to reach this stack's bucket from inside its
    network: the URL always; the endpoint where the provider's default does not apply (MinIO,
    R2, an Azure account); the region for S3-compatible stores (`--from-region`/`--to-region`;
    the other schemes refuse one); and keys, as secrets, where the store has no workload identity
    (MinIO, Render's bucket-scoped IAM user, R2's token). The keys are what `migrate storage`
    reads from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for an s3:// side."""
    pulumi.export("storageUrl", storage.url)
    if storage.endpoint_url is not None:
        pulumi.export("storageEndpoint", storage.endpoint_url.apply(lambda url: url.rstrip("/")))
    if storage.backend == "s3":
        pulumi.export("storageRegion", storage.region)
    if storage.access_key_id is not None and storage.secret_access_key is not None:
        pulumi.export("storageAccessKeyId", pulumi.Output.secret(storage.access_key_id))
        pulumi.export("storageSecretAccessKey", pulumi.Output.secret(storage.secret_access_key))


def run(transform: ChildTransform | None = None) -> None:
    """Entry point shared by `pulumi up` and the offline plan; `transform` reaches every
    component's children (see `components.contract.ChildTransform`)."""
    config = runtime_config()
    ctx = DeployContext(
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        env=config.env,
        profile=resolve(config),
        repo_root=REPO_ROOT,
        transform=transform,
        tags={
            "project": pulumi.get_project(),
            "stack": pulumi.get_stack(),
            "env": config.env.value,
        },
        settings=config.settings(),
        providers={cap: getattr(config, cap).provider for cap in ("postgres", "redis", "storage")},
    )
    export(deploy(ctx, config))
