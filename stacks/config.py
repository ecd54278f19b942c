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
    """Object storage for media and uploads."""

    provider: Literal["native"] = "native"
    bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    versioning: bool | None = None


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
    postgres: PostgresConfig = PostgresConfig()
    redis: RedisConfig = RedisConfig()
    storage: StorageConfig = StorageConfig()
    app: AppConfig = AppConfig()
    postgres_url: SecretValue | None = Field(default=None, alias="postgresUrl")
    redis_url: SecretValue | None = Field(default=None, alias="redisUrl")
    sentry_dsn: SecretValue | None = Field(default=None, alias="sentryDsn")
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
        problems += self._domain_problems()
        for setting in REQUIRED_PROVIDER_SETTINGS.get(self.target, ()):
            ns, name = setting.split(":", 1)
            if name not in self.providers.get(ns, {}):
                problems.append(f"target {self.target} needs `{setting}` in the stack config")
        if problems:
            raise ValueError("; ".join(problems))
        return self

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
        """Provider settings by full key (`aws:region`), as targets read them, plus the
        target-specific `trudeploy:dnsZone` when set."""
        settings = {
            f"{ns}:{name}": v for ns, values in self.providers.items() for name, v in values.items()
        }
        if self.dns_zone is not None:
            settings[f"{NAMESPACE}:dnsZone"] = self.dns_zone
        return settings


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
