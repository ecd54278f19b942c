"""The contract every target fills: specs (what is asked) and outputs (what every target returns).

A target package `components/<name>/` exposes `Target`, a subclass of `BaseTarget` below. The
program (stacks/program.py) calls its methods in this order, and nothing else about the target:

    target = Target(ctx)
    pg      = target.postgres(PostgresSpec)        -> PostgresOutputs
    cache   = target.redis(RedisSpec)              -> RedisOutputs
    bucket  = target.storage(StorageSpec)          -> StorageOutputs
    ingress = target.ingress(ServiceSpec)          -> Ingress   (hosts known before the service)
    env     = build_app_env(...)                   (components/app_env.py, the only place)
    svc     = target.service(ServiceSpec, env)     -> ServiceOutputs

The target may also supply `components/<name>/simulated.py` (computed outputs for the offline plan)
and `components/<name>/plan_view.py` (how the invariant checks read its resources).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pulumi

from core.profiles import Profile
from core.vocabulary import Env, Size

ProcessName = Literal["web", "worker", "beat", "release"]
PROCESSES: tuple[ProcessName, ...] = ("release", "web", "worker", "beat")

READY_PATH = "/api/v1/health/ready/"
LIVE_PATH = "/api/v1/health/live/"

ChildTransform = Callable[
    [str, type, dict[str, object], pulumi.ResourceOptions],
    "tuple[dict[str, object], pulumi.ResourceOptions] | None",
]
"""Escape hatch to reach a component's raw child resources before they are declared:
`(logical_name, resource_class, props, opts) -> (props, opts)` or None to keep them. Runs in the
SDK (unlike `ResourceOptions.transforms`, which the engine runs), so the offline plan shows it."""


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class PostgresSpec:
    """A PostgreSQL database for the service."""

    name: str
    version: int
    size: Size
    storage_gb: int
    ha: bool
    backup_retention_days: int
    point_in_time_recovery: bool
    deletion_protection: bool
    final_snapshot: bool
    database: str = "app"
    username: str = "app"
    provider: str = "native"


@dataclass(frozen=True)
class RedisSpec:
    """A Redis cache / Celery broker for the service."""

    name: str
    version: int
    size: Size
    ha: bool
    provider: str = "native"


@dataclass(frozen=True)
class StorageSpec:
    """An object-storage bucket for media and uploads; never public (D5)."""

    name: str
    bucket: str
    versioning: bool
    noncurrent_version_days: int
    cors_origins: tuple[str, ...] = ()
    provider: str = "native"


@dataclass(frozen=True)
class HealthSpec:
    """Where the web process reports health (W4)."""

    ready_path: str = READY_PATH
    live_path: str = LIVE_PATH
    interval_seconds: int = 10
    timeout_seconds: int = 5
    retries: int = 5
    start_period_seconds: int = 20


@dataclass(frozen=True)
class ProcessSpec:
    """One process of the service, run from the same image with `docker-entrypoint.sh <name>`.

    `replicas` is 1 for beat (always) and release (a one-shot run per deploy)."""

    name: ProcessName
    command: tuple[str, ...]
    replicas: int
    cpu: float
    memory_mb: int
    long_lived: bool = True
    serves_http: bool = False


@dataclass(frozen=True)
class ImageSpec:
    """Either a prebuilt image reference or a build from the repository."""

    image: str | None = None
    context: Path | None = None
    dockerfile: Path | None = None


@dataclass(frozen=True)
class ServiceSpec:
    """The service: image, processes, port, health, domain."""

    name: str
    image: ImageSpec
    processes: Mapping[ProcessName, ProcessSpec]
    port: int
    health: HealthSpec
    domain: str | None
    max_web_replicas: int
    log_retention_days: int


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class PostgresOutputs:
    """`url` is a secret: it holds the password."""

    url: pulumi.Output[str]
    host: pulumi.Output[str]
    port: pulumi.Output[int]
    database: pulumi.Output[str]


@dataclass(frozen=True)
class RedisOutputs:
    """`url` is a secret (it holds the password); `rediss://` where the target offers TLS."""

    url: pulumi.Output[str]
    ca_cert: pulumi.Output[str] | None = None
    """PEM of the certificate authority that signs the server's certificate, where it is the
    instance's own (Memorystore) rather than one the system trust store holds; None otherwise."""


@dataclass(frozen=True)
class StorageOutputs:
    """What the app needs to reach its bucket. Credentials are secrets, and None where the service
    uses workload identity (task role, service account, managed identity) instead of keys."""

    bucket: pulumi.Output[str]
    region: pulumi.Output[str]
    url: pulumi.Output[str]
    """The bucket as `trudeploy migrate storage` names it: `s3://bucket`, `gs://bucket`,
    `az://account/container` (the app keeps its objects at the bucket's root). Exported as
    `storageUrl`, with the endpoint, region and keys below, so a move can reach this store."""
    endpoint_url: pulumi.Output[str] | None = None
    access_key_id: pulumi.Output[str] | None = None
    secret_access_key: pulumi.Output[str] | None = None
    backend: str = "s3"
    """The app's STORAGE_BACKEND: `s3` (S3 and every S3-compatible store), `gcs` or `azure`."""
    identity_client_id: pulumi.Output[str] | None = None
    """The client id of the user-assigned managed identity the app reaches storage as (Azure),
    which the Azure SDK needs to pick that identity; None elsewhere."""


@dataclass(frozen=True)
class Ingress:
    """How the service will be reached, known before the service is declared so the app's
    ALLOWED_HOSTS / CORS / CSRF settings can name it."""

    hosts: pulumi.Output[list[str]]
    base_url: pulumi.Output[str]
    trusted_proxies: int = 0
    """How many proxies the target puts in front of web (a load balancer: 1). The app trusts
    exactly that many X-Forwarded-For hops (O6), so a client cannot forge its address."""
    idle_timeout_seconds: int | None = None
    """The front proxy's idle timeout; web's keep-alive must outlive it, or the proxy reuses a
    connection the server has just closed and answers 502."""


@dataclass(frozen=True)
class ServiceOutputs:
    """The public URL of the web process."""

    url: pulumi.Output[str]


@dataclass(frozen=True)
class AppEnv:
    """The app's environment: `plain` values and `secret` values (each a Pulumi secret Output).
    Targets must deliver `secret` through their secret mechanism where they have one (S2)."""

    plain: Mapping[str, pulumi.Input[str]]
    secret: Mapping[str, pulumi.Output[str]]

    def keys(self) -> list[str]:
        """Every key, sorted: the contract's key set (W1)."""
        return sorted({*self.plain, *self.secret})


@dataclass(frozen=True)
class StackOutputs:
    """What the program exports for every target."""

    service: ServiceOutputs
    postgres: PostgresOutputs
    redis: RedisOutputs
    storage: StorageOutputs
    env: AppEnv


# --------------------------------------------------------------------------- target interface


@dataclass(frozen=True)
class DeployContext:
    """What a target knows about the stack it deploys."""

    project: str
    stack: str
    env: Env
    profile: Profile
    repo_root: Path
    transform: ChildTransform | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, object] = field(default_factory=dict)
    """Provider settings from the stack file, by full key (`aws:region`, `gcp:project`)."""
    providers: Mapping[str, str] = field(default_factory=dict)
    """Capability -> provider (`postgres` -> `neon`); `native` where the target provides it."""

    def setting(self, key: str) -> object | None:
        """A provider setting such as `aws:region`, or None."""
        return self.settings.get(key)

    def provider(self, capability: str) -> str:
        """Who provides `capability`: `native` (this target) or an override (`neon`, `external`)."""
        return self.providers.get(capability, "native")

    def prefix(self) -> str:
        """Base name for physical resources: `<project>-<stack>`."""
        return f"{self.project}-{self.stack}"


class TargetNotAvailable(Exception):
    """The stack selects a target (or a provider override) that has no implementation yet."""


class BaseTarget(ABC):
    """One cloud. Subclasses live in `components/<name>/` and are exported there as `Target`."""

    name: str = ""

    def __init__(self, ctx: DeployContext) -> None:
        self.ctx = ctx

    @abstractmethod
    def postgres(self, spec: PostgresSpec) -> PostgresOutputs:
        """Declare the database."""

    @abstractmethod
    def redis(self, spec: RedisSpec) -> RedisOutputs:
        """Declare the cache / broker."""

    @abstractmethod
    def storage(self, spec: StorageSpec) -> StorageOutputs:
        """Declare the bucket."""

    @abstractmethod
    def ingress(self, spec: ServiceSpec) -> Ingress:
        """Declare (or compute) how the service is reached: load balancer, domain, port."""

    @abstractmethod
    def service(self, spec: ServiceSpec, env: AppEnv) -> ServiceOutputs:
        """Declare the image and the four processes, release ordered before web."""

    def unsupported(self, capability: str, provider: str, supported: tuple[str, ...]) -> None:
        """Raise the one clear error for a provider override this target cannot honour."""
        raise TargetNotAvailable(
            f"target {self.name} cannot provide {capability} via provider {provider!r}; "
            f"supported here: {', '.join(supported)}"
        )
