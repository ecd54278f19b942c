"""The Kubernetes target: the service and its data in one namespace of the cluster the current
kubeconfig context (or `kubernetes:context`) points at: EKS, GKE, AKS or a laptop cluster.

The program calls postgres, redis, ingress, storage, then service (components/contract.py). The
namespace is declared on first use; the object store is declared before PostgreSQL, whose backups
go to it, and `storage()` returns the same outputs.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

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
from components.kubernetes.common import IDLE_TIMEOUT_SECONDS, KubernetesSettings
from core.vocabulary import Env

if TYPE_CHECKING:
    from components.kubernetes.network import StackNamespace


class KubernetesTarget(BaseTarget):
    """One namespace (`<project>-<stack>`) on the cluster of the provider's context."""

    name = "kubernetes"

    def __init__(self, ctx: DeployContext) -> None:
        super().__init__(ctx)
        self.settings = KubernetesSettings.from_context(ctx)
        self._storage: StorageOutputs | None = None
        self._storage_spec: StorageSpec | None = None

    @cached_property
    def namespace(self) -> StackNamespace:
        """The stack's namespace, declared on first use (network.py imports the SDK)."""
        from components.kubernetes.network import NamespaceArgs, StackNamespace

        return StackNamespace(
            self.ctx.prefix(),
            NamespaceArgs(name=self.ctx.prefix(), tags=self.ctx.tags),
            transform=self.ctx.transform,
        )

    def _object_store(self, spec: StorageSpec) -> StorageOutputs:
        """MinIO in development (unless an external store is configured), else the external
        S3-compatible store; declared once."""
        if self._storage is not None:
            return self._storage
        if self.settings.object_store:
            from components.kubernetes.storage import external_object_store

            self._storage = external_object_store(spec, self.settings, pulumi.Config("trudeploy"))
        elif self.ctx.env == Env.development:
            from components.kubernetes.storage import MinioArgs, MinioStorage

            args = MinioArgs(
                spec=spec, namespace=self.namespace, settings=self.settings, tags=self.ctx.tags
            )
            self._storage = MinioStorage(spec.name, args, transform=self.ctx.transform).outputs
        else:
            raise TargetNotAvailable(
                f"target kubernetes runs MinIO only in development; env {self.ctx.env} needs "
                "trudeploy:kubernetes.objectStore (endpoint, region) and the secrets "
                "trudeploy:objectStoreAccessKeyId / objectStoreSecretAccessKey"
            )
        self._storage_spec = spec
        return self._storage

    def postgres(self, spec: PostgresSpec) -> PostgresOutputs:
        if spec.provider != "native":
            self.unsupported("postgres", spec.provider, ("native", "external"))
        from components.kubernetes.postgres import CnpgPostgres, PostgresArgs

        backups = self._object_store(self._default_storage_spec())
        args = PostgresArgs(
            spec=spec,
            namespace=self.namespace,
            settings=self.settings,
            backups=backups,
            tags=self.ctx.tags,
        )
        return CnpgPostgres(spec.name, args, transform=self.ctx.transform).outputs

    def redis(self, spec: RedisSpec) -> RedisOutputs:
        if spec.provider != "native":
            self.unsupported("redis", spec.provider, ("native", "external"))
        from components.kubernetes.redis import RedisArgs, RedisStatefulSet

        args = RedisArgs(
            spec=spec, namespace=self.namespace, settings=self.settings, tags=self.ctx.tags
        )
        return RedisStatefulSet(spec.name, args, transform=self.ctx.transform).outputs

    def storage(self, spec: StorageSpec) -> StorageOutputs:
        if spec.provider != "native":
            self.unsupported("storage", spec.provider, ("native",))
        if self._storage_spec is not None and self._storage_spec != spec:
            raise TargetNotAvailable(
                f"the object store was declared for {self._storage_spec}, not {spec}: "
                "stacks/program.py and KubernetesTarget._default_storage_spec disagree"
            )
        return self._object_store(spec)

    def ingress(self, spec: ServiceSpec) -> Ingress:
        host = self.host(spec)
        scheme = "https" if spec.domain else "http"
        return Ingress(
            hosts=pulumi.Output.from_input([host]),
            base_url=pulumi.Output.from_input(f"{scheme}://{host}"),
            trusted_proxies=self.settings.trusted_proxies,
            idle_timeout_seconds=IDLE_TIMEOUT_SECONDS,
        )

    def host(self, spec: ServiceSpec) -> str:
        """The stack's domain, else `<namespace>.localhost` (resolves to the loopback address, so a
        laptop cluster's ingress controller serves it without DNS)."""
        return spec.domain or f"{self.ctx.prefix()}.localhost"

    def service(self, spec: ServiceSpec, env: AppEnv) -> ServiceOutputs:
        from components.kubernetes.service import KubernetesService, ServiceArgs

        svc = KubernetesService(
            spec.name,
            ServiceArgs(
                spec=spec,
                env=env,
                namespace=self.namespace,
                settings=self.settings,
                host=self.host(spec),
                autoscale=self.ctx.env == Env.production,
                tags=self.ctx.tags,
            ),
            transform=self.ctx.transform,
        )
        return ServiceOutputs(url=svc.url)

    def _default_storage_spec(self) -> StorageSpec:
        """The storage spec the program will pass to `storage()` (stacks/program.py builds it
        from the same profile), needed earlier for PostgreSQL's backups."""
        raw = self.ctx.setting("trudeploy:storage")
        storage = raw if isinstance(raw, dict) else {}
        return StorageSpec(
            name=f"{self.ctx.prefix()}-storage",
            bucket=storage.get("bucket") or f"{self.ctx.prefix()}-media",
            versioning=self.ctx.profile.storage_versioning,
            noncurrent_version_days=self.ctx.profile.noncurrent_version_days,
        )
