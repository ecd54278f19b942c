"""The typed model of a `Pulumi.<stack>.yaml`, parsed before a single resource is declared.

One model serves three readers: `trudeploy validate` and `trudeploy plan` (which read the YAML file)
and the Pulumi program itself (which reads the engine's config). All three go through
`parse_stack_config`, so a bad file fails the same way everywhere: one message per wrong field,
naming the file, the YAML path (`trudeploy:postgres.version`) and what would be valid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.images import pinned
from core.vocabulary import Env, Size, TargetName
from stacks.names import name_errors, project_name

NAMESPACE = "trudeploy"
HOSTNAME = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
"""A lower-case DNS name: labels of 1-63 letters, digits and inner hyphens, a letter TLD."""

# Envs whose app redirects every request to HTTPS (ENV=staging|production), so a target whose
# load balancer only serves TLS on a domain needs one (AWS: no certificate without a domain).
HTTPS_ENVS = (Env.staging, Env.production)
HTTPS_NEEDS_DOMAIN = (TargetName.aws,)


# Provider settings a target cannot run without, checked before any resource is declared.
REQUIRED_PROVIDER_SETTINGS: dict[TargetName, tuple[str, ...]] = {
    TargetName.aws: ("aws:region",),
    TargetName.gcp: ("gcp:project", "gcp:region"),
    TargetName.azure: ("azure-native:location",),
}


class ConfigError(Exception):
    """A stack file that cannot be deployed; `errors` holds one line per wrong field."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__("\n".join(f"{source}: {e}" for e in errors))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SecretValue(_Strict):
    """A value Pulumi keeps encrypted: `{secure: v1:...}` in the file, set with
    `pulumi config set --secret`. The model only records that it is present and secret; the
    program reads the value through `pulumi.Config.require_secret`, so it stays an Output secret."""

    secure: str = Field(min_length=1)


class PostgresConfig(_Strict):
    """PostgreSQL: the target's native database unless `provider` names an override."""

    provider: Literal["native", "neon", "external"] = "native"
    version: Literal[14, 15, 16, 17] = 16
    size: Size | None = None
    storage_gb: int | None = Field(default=None, alias="storageGb", ge=5, le=16384)
    ha: bool | None = None
    database: str = Field(default="app", pattern=r"^[a-z_][a-z0-9_]{0,62}$")


class RedisConfig(_Strict):
    """Redis: the target's native cache unless `provider` names an override."""

    provider: Literal["native", "upstash", "external"] = "native"
    version: Literal[6, 7] = 7
    size: Size | None = None
    ha: bool | None = None


class StorageConfig(_Strict):
    """Object storage for media and uploads. `r2` and `s3` are for targets without a bucket
    service of their own (render): a Cloudflare R2 bucket in `accountId`, or an S3 bucket in the
    stack's `aws:region`."""

    provider: Literal["native", "r2", "s3"] = "native"
    bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    versioning: bool | None = None
    account_id: str | None = Field(default=None, alias="accountId", pattern=r"^[0-9a-f]{32}$")


class RegistryConfig(_Strict):
    """Who Render logs in as to pull a private `app.image`; the token is the secret
    `trudeploy:registryToken`."""

    kind: Literal["GITHUB", "GITLAB", "DOCKER", "GOOGLE_ARTIFACT", "AWS_ECR"]
    username: str = Field(min_length=1)


class RenderConfig(_Strict):
    """Render settings: the workspace that owns the services, their region, and the repository
    Render builds `app.build` from (or the registry login for a private `app.image`)."""

    owner_id: str = Field(alias="ownerId", pattern=r"^(tea|usr)-[a-z0-9]{20}$")
    region: Literal["oregon", "ohio", "virginia", "frankfurt", "singapore"] = "oregon"
    repo: str | None = Field(default=None, pattern=r"^https://[^\s/]+/[^\s]+$")
    branch: str = Field(default="main", min_length=1, max_length=255)
    registry: RegistryConfig | None = None


class ObjectStoreConfig(_Strict):
    """An S3-compatible store outside the cluster; its keys are the secrets
    `trudeploy:objectStoreAccessKeyId` and `trudeploy:objectStoreSecretAccessKey`."""

    endpoint: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    region: str = Field(default="us-east-1", pattern=r"^[a-z0-9-]{1,32}$")


_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"


class KubernetesConfig(_Strict):
    """Kubernetes settings: the cluster's ingress controller and cert-manager issuer, whether this
    stack installs the CloudNativePG operator or finds it present, and the object store."""

    ingress_class: str = Field(default="nginx", alias="ingressClass", pattern=_DNS_LABEL)
    ingress_namespace: str = Field(
        default="ingress-nginx", alias="ingressNamespace", pattern=_DNS_LABEL
    )
    cluster_issuer: str = Field(default="letsencrypt", alias="clusterIssuer", min_length=1)
    cnpg_operator: Literal["install", "present"] = Field(default="present", alias="cnpgOperator")
    cnpg_namespace: str = Field(default="cnpg-system", alias="cnpgNamespace", pattern=_DNS_LABEL)
    storage_class: str | None = Field(default=None, alias="storageClass", pattern=_DNS_LABEL)
    trusted_proxies: int = Field(default=1, alias="trustedProxies", ge=0, le=5)
    object_store: ObjectStoreConfig | None = Field(default=None, alias="objectStore")


class BuildConfig(_Strict):
    """Build the app image from source (paths relative to the repository root)."""

    context: str = "app"
    dockerfile: str = "app/Dockerfile"


class ReplicasConfig(_Strict):
    """Per-process replica overrides; beat is not here because it always runs exactly once."""

    web: int | None = Field(default=None, ge=1, le=100)
    worker: int | None = Field(default=None, ge=0, le=100)


class AppConfig(_Strict):
    """The bundled service: where its image comes from, and how big it runs."""

    image: str | None = Field(default=None, min_length=1)
    build: BuildConfig | None = None
    port: int = Field(default=8000, ge=1, le=65535)
    size: Size | None = None
    replicas: ReplicasConfig = ReplicasConfig()

    @model_validator(mode="after")
    def _one_image_source(self) -> AppConfig:
        if self.image is not None and self.build is not None:
            raise ValueError("set either app.image (a pushed image) or app.build, not both")
        return self


class StackConfig(_Strict):
    """Everything under `trudeploy:` in one stack file, plus provider settings (`aws:region`...)."""

    env: Env
    target: TargetName
    domain: str | None = Field(default=None, max_length=253, pattern=HOSTNAME)
    dns_zone: str | None = Field(default=None, alias="dnsZone", max_length=253, pattern=HOSTNAME)
    allow_destroy: bool = Field(default=False, alias="allowDestroy")
    """Lift the profile's deletion protection on purpose, so `pulumi destroy` of a production
    stack can succeed: set it, `pulumi up`, then `pulumi destroy` (docs/teardown.md)."""
    postgres: PostgresConfig = PostgresConfig()
    redis: RedisConfig = RedisConfig()
    storage: StorageConfig = StorageConfig()
    app: AppConfig = AppConfig()
    render: RenderConfig | None = None
    kubernetes: KubernetesConfig | None = None
    postgres_url: SecretValue | None = Field(default=None, alias="postgresUrl")
    redis_url: SecretValue | None = Field(default=None, alias="redisUrl")
    sentry_dsn: SecretValue | None = Field(default=None, alias="sentryDsn")
    registry_token: SecretValue | None = Field(default=None, alias="registryToken")
    object_store_key_id: SecretValue | None = Field(default=None, alias="objectStoreAccessKeyId")
    object_store_secret: SecretValue | None = Field(
        default=None, alias="objectStoreSecretAccessKey"
    )
    providers: dict[str, dict[str, Any]] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="after")
    def _combinations(self) -> StackConfig:
        problems: list[str] = []
        for cap, secret_key, value in (
            ("postgres", "postgresUrl", self.postgres_url),
            ("redis", "redisUrl", self.redis_url),
        ):
            provider = getattr(self, cap).provider
            if provider == "external" and value is None:
                problems.append(
                    f"{cap}.provider is external but the secret {NAMESPACE}:{secret_key} is "
                    "missing; set it with "
                    f"`pulumi config set --secret {NAMESPACE}:{secret_key} URL`"
                )
            if provider != "external" and value is not None:
                problems.append(
                    f"{NAMESPACE}:{secret_key} is only used with {cap}.provider external "
                    f"(it is {provider})"
                )
        problems += self._storage_problems() + self._render_problems()
        problems += self._kubernetes_problems()
        problems += self._domain_problems()
        problems += missing_provider_settings(self.target, self.providers)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _storage_problems(self) -> list[str]:
        storage = self.storage
        problems = []
        if storage.provider != "native" and self.target != TargetName.render:
            problems.append(
                f"storage.provider {storage.provider} is for targets without a bucket service "
                f"(render); target {self.target} has its own: use native"
            )
        if storage.provider == "r2" and storage.account_id is None:
            problems.append("storage.provider r2 needs storage.accountId (the Cloudflare account)")
        if storage.provider != "r2" and storage.account_id is not None:
            problems.append(f"storage.accountId is only used with provider r2 ({storage.provider})")
        if storage.provider == "s3" and "region" not in self.providers.get("aws", {}):
            problems.append("storage.provider s3 needs `aws:region` in the stack config")
        return problems

    def _render_problems(self) -> list[str]:
        render = self.render
        if self.target != TargetName.render:
            extra = render is not None or self.registry_token is not None
            return [f"{NAMESPACE}:render is only used with target render"] if extra else []
        if render is None:
            return [f"target render needs {NAMESPACE}:render with ownerId (the Render workspace)"]
        problems = []
        if self.storage.provider == "native":
            problems.append(
                "Render has no object storage: set storage.provider r2 (with storage.accountId) "
                "or s3 (with aws:region)"
            )
        if self.app.image is None and render.repo is None:
            problems.append(
                "target render builds app.build from a repository: set render.repo "
                "(https URL) or use a prebuilt app.image"
            )
        if render.registry is not None and self.app.image is None:
            problems.append("render.registry is only used with a prebuilt app.image")
        if (render.registry is None) != (self.registry_token is None):
            problems.append(
                "a private app.image needs both render.registry and the secret "
                f"{NAMESPACE}:registryToken (`pulumi config set --secret "
                f"{NAMESPACE}:registryToken TOKEN`), or neither"
            )
        return problems

    def _kubernetes_problems(self) -> list[str]:
        kube = self.kubernetes
        keys = (self.object_store_key_id, self.object_store_secret)
        if self.target != TargetName.kubernetes:
            extra = kube is not None or any(k is not None for k in keys)
            return [f"{NAMESPACE}:kubernetes is only used with target kubernetes"] if extra else []
        problems = []
        image = self.app.image
        if image is None or not pinned(image):
            problems.append(
                "target kubernetes runs a pushed image: set app.image to <repository>:<tag> or "
                "<repository>@sha256:<digest> (not latest, not app.build)"
            )
        store = kube.object_store if kube is not None else None
        if store is None and self.env != Env.development:
            problems.append(
                f"target kubernetes runs MinIO only in development; env {self.env} needs "
                "kubernetes.objectStore (endpoint, region) for an external S3-compatible store"
            )
        if store is not None and not all(keys):
            problems.append(
                "kubernetes.objectStore needs the secrets "
                f"{NAMESPACE}:objectStoreAccessKeyId and {NAMESPACE}:objectStoreSecretAccessKey "
                f"(`pulumi config set --secret {NAMESPACE}:objectStoreAccessKeyId KEY`)"
            )
        if store is None and any(keys):
            problems.append(
                f"{NAMESPACE}:objectStoreAccessKeyId / objectStoreSecretAccessKey are only used "
                "with kubernetes.objectStore"
            )
        return problems

    def _domain_problems(self) -> list[str]:
        """The public-HTTP rules (INVARIANTS O6): HTTPS needs a domain where the target has no
        other certificate, and a DNS zone must hold the domain it is asked to serve."""
        problems: list[str] = []
        if self.target in HTTPS_NEEDS_DOMAIN and self.env in HTTPS_ENVS and self.domain is None:
            problems.append(
                f"{NAMESPACE}:domain is required for env {self.env.value} on target "
                f"{self.target.value}: without it the load balancer serves plain HTTP while the "
                "app redirects every request to HTTPS; set it with "
                f"`pulumi config set {NAMESPACE}:domain app.example.com`"
            )
        if self.dns_zone is not None:
            if self.domain is None:
                problems.append(
                    f"{NAMESPACE}:dnsZone is set but {NAMESPACE}:domain is not: the zone only "
                    "holds records for the domain; set the domain or remove the zone"
                )
            elif not (self.domain == self.dns_zone or self.domain.endswith(f".{self.dns_zone}")):
                problems.append(
                    f"{NAMESPACE}:domain {self.domain} is not within {NAMESPACE}:dnsZone "
                    f"{self.dns_zone}; the zone must be the domain itself or one of its parents"
                )
        return problems

    def settings(self) -> dict[str, Any]:
        """Provider settings by full key (`aws:region`), as targets read them; a target's own
        block (`trudeploy:render`) and the storage block ride along, keyed the same way."""
        found = {
            f"{ns}:{name}": v for ns, values in self.providers.items() for name, v in values.items()
        }
        if self.render is not None:
            found[f"{NAMESPACE}:render"] = self.render.model_dump(by_alias=True)
        if self.kubernetes is not None:
            found[f"{NAMESPACE}:kubernetes"] = self.kubernetes.model_dump(
                by_alias=True, exclude_none=True
            )
        found[f"{NAMESPACE}:storage"] = self.storage.model_dump(by_alias=True)
        if self.dns_zone is not None:
            found[f"{NAMESPACE}:dnsZone"] = self.dns_zone
        return found


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    """Pydantic error location -> the YAML path an operator would type in `pulumi config set`."""
    if not loc:
        return NAMESPACE
    head, *rest = (str(p) for p in loc)
    path = f"{NAMESPACE}:{head}"
    return ".".join([path, *rest]) if rest else path


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the mapping that holds `loc`'s last part (for "unknown key" errors)."""
    model: Any = StackConfig
    for part in loc[:-1]:
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        field = fields.get(str(part))
        if field is None:
            return []
        candidates = [field.annotation, *getattr(field.annotation, "__args__", ())]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            return []
    return sorted(f.alias or n for n, f in model.model_fields.items() if n != "providers")


def _describe(err: dict[str, Any]) -> str:
    if err["type"] == "extra_forbidden":
        return f"unknown key; allowed: {', '.join(_keys_at(tuple(err['loc'])))}"
    return str(err["msg"]).removeprefix("Value error, ")


def missing_provider_settings(
    target: TargetName, providers: dict[str, dict[str, Any]]
) -> list[str]:
    """One line per provider setting the target cannot run without and the file lacks."""
    return [
        f"target {target} needs `{setting}` in the stack config"
        for setting in REQUIRED_PROVIDER_SETTINGS.get(target, ())
        if setting.split(":", 1)[1] not in providers.get(setting.split(":", 1)[0], {})
    ]


def _independent_problems(ours: dict[str, Any], providers: dict[str, dict[str, Any]]) -> list[str]:
    """Checks that need only the target, run even when other fields are wrong: pydantic skips the
    model's cross-field checks once a field fails, and a bad `env` must not hide a missing
    `aws:region` until the next run."""
    try:
        target = TargetName(ours.get("target"))
    except ValueError:
        return []
    return missing_provider_settings(target, providers)


def parse_stack_config(raw: dict[str, Any], source: str) -> StackConfig:
    """Validate a stack's `config:` mapping (keys `namespace:key`); raise ConfigError on any fault.

    `raw` is exactly what `config:` holds in the YAML file. Keys in other namespaces (`aws:region`,
    `docker:host`) are provider settings and kept as such; keys without a namespace are rejected
    because Pulumi itself rejects them.
    """
    if not isinstance(raw, dict):
        raise ConfigError(source, ["config: must be a mapping of `namespace:key: value`"])
    ours: dict[str, Any] = {}
    providers: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for key, value in raw.items():
        if not isinstance(key, str) or ":" not in key:
            errors.append(f"{key}: config keys are `namespace:key` (e.g. {NAMESPACE}:env)")
            continue
        ns, name = key.split(":", 1)
        if ns == NAMESPACE:
            if name == "providers":
                errors.append(f"{key}: unknown key")
                continue
            ours[name] = value
        else:
            providers.setdefault(ns, {})[name] = value
    if errors:
        raise ConfigError(source, errors)
    try:
        return StackConfig.model_validate({**ours, "providers": providers})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            path = _loc_to_path(tuple(err["loc"]))
            lines.append(f"{path}: {_describe(err)}")
        if all(err["loc"] for err in exc.errors()):
            # only field errors: the model's own cross-field checks never ran
            lines += [f"{NAMESPACE}: {p}" for p in _independent_problems(ours, providers)]
        raise ConfigError(source, lines) from None


def _stacks_in(root: Path) -> str:
    """The stacks a project has, to name in a 'no such stack' error."""
    names = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
    return f"stacks here: {', '.join(names)}" if names else "this directory has no stack files"


def load_stack_file(path: Path) -> StackConfig:
    """Read and validate one `Pulumi.<stack>.yaml`, including the project and stack names it
    gives the cloud (the project's from the `Pulumi.yaml` beside it); every problem raises
    ConfigError."""
    config = _load_config(path)
    project = project_name(path.parent)
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    if project is not None:
        check_names(project, stack, config.target, path.name)
    return config


def check_names(project: str, stack: str, target: TargetName, source: str) -> None:
    """Raise ConfigError when the project or stack name cannot prefix this target's cloud names."""
    errors = name_errors(project, stack, target)
    if errors:
        raise ConfigError(source, errors)


def _load_config(path: Path) -> StackConfig:
    source = path.name
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            source, [f"no such stack file in {path.parent}; {_stacks_in(path.parent)}"]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, [f"not valid YAML: {exc}"]) from None
    if not isinstance(doc, dict) or "config" not in doc:
        raise ConfigError(source, ["missing top-level `config:` mapping"])
    return parse_stack_config(doc["config"], source)


def stack_file(root: Path, stack: str) -> Path:
    """Where stack `stack`'s file lives in a project rooted at `root`."""
    return root / f"Pulumi.{stack}.yaml"
