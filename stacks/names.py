"""The project and stack names, checked where they become cloud names.

Every physical name starts with `ctx.prefix()` = `<project>-<stack>` (`trudeploy-prod-postgres`,
`trudeploy-prod-app-lb-web`, `trudeploy-dev-app:latest`). A name the cloud refuses would surface as
a provider error half-way through `pulumi up`; this module turns it into a config error at
`trudeploy validate` / `plan` time, naming the key and what would be valid.

Characters: the most restrictive consumers are S3 / MinIO bucket names and RDS and ElastiCache ids
(lowercase letters, digits and single hyphens, an RDS identifier starts with a letter), ELB names
(no `_` or `.`) and Docker image repositories (lowercase). So both names are lowercase letters,
digits and single inner hyphens, and the project starts with a letter. Lengths: the longest names
built from the prefix, per target, are in `LIMITS`; a test keeps them in step with the real plans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.vocabulary import TargetName

PROJECT = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"
STACK = r"[a-z0-9]+(-[a-z0-9]+)*"
CHARSET = "lowercase letters, digits and single hyphens (no _, ., upper case, leading/trailing -)"
WHY = "it prefixes S3/MinIO bucket, RDS, ElastiCache, load balancer and image names"


@dataclass(frozen=True)
class NameLimit:
    """One physical name built from the prefix, and the length its provider allows."""

    what: str
    template: str
    limit: int
    cite: str

    def name(self, prefix: str) -> str:
        return self.template.format(prefix=prefix)


ELB_API = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference"
ALB = f"{ELB_API}/API_CreateLoadBalancer.html"
TG = f"{ELB_API}/API_CreateTargetGroup.html"
CACHE = (
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/"
    "API_CreateReplicationGroup.html"
)
RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
IAM = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"

GCP_SA = "https://cloud.google.com/iam/docs/service-accounts-create#creating"
GCP_REDIS = (
    "https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/"
    "projects.locations.instances/create"
)
GCP_RUN = "https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services/create"
GCP_BUCKET = "https://cloud.google.com/storage/docs/buckets#naming"
AZURE_NAMES = (
    "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
)

_BUCKET = NameLimit("bucket name", "{prefix}-media", 63, S3)
LIMITS: dict[TargetName, tuple[NameLimit, ...]] = {
    TargetName.aws: (
        NameLimit("load balancer name", "{prefix}-app-lb-alb", 32, ALB),
        NameLimit("target group name", "{prefix}-app-lb-web", 32, TG),
        NameLimit("ElastiCache replication group id", "{prefix}-redis", 40, CACHE),
        NameLimit("RDS instance identifier", "{prefix}-postgres", 63, RDS),
        NameLimit("IAM role name", "{prefix}-app-roles-execution-0000000", 64, IAM),
        _BUCKET,
    ),
    TargetName.docker: (_BUCKET,),
    TargetName.kubernetes: (
        NameLimit(
            "namespace name",
            "{prefix}",
            63,
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names",
        ),
        _BUCKET,
    ),
    TargetName.gcp: (
        NameLimit("service account id", "{prefix}-run", 30, GCP_SA),
        NameLimit("Memorystore instance id", "{prefix}-redis", 40, GCP_REDIS),
        NameLimit("Cloud Run service name", "{prefix}-app-release", 49, GCP_RUN),
        NameLimit("bucket name", "{prefix}-media", 63, GCP_BUCKET),
    ),
    TargetName.azure: (
        NameLimit("Container App name", "{prefix}-app-worker", 32, f"{AZURE_NAMES}#microsoftapp"),
        NameLimit("Redis cluster name", "{prefix}-redis", 60, f"{AZURE_NAMES}#microsoftcache"),
        NameLimit(
            "PostgreSQL server name",
            "{prefix}-postgres",
            63,
            f"{AZURE_NAMES}#microsoftdbforpostgresql",
        ),
        NameLimit("blob container name", "{prefix}-media", 63, f"{AZURE_NAMES}#microsoftstorage"),
    ),
}
"""The longest names each target builds from the prefix (the IAM role is Pulumi-autonamed)."""


def project_name(root: Path) -> str | None:
    """The `name` in `<root>/Pulumi.yaml`, or None when there is no readable one."""
    try:
        doc = yaml.safe_load((root / "Pulumi.yaml").read_text())
    except (OSError, yaml.YAMLError):
        return None
    name = doc.get("name") if isinstance(doc, dict) else None
    return str(name) if name is not None else None


def name_errors(project: str, stack: str, target: TargetName) -> list[str]:
    """Why `project` / `stack` cannot name this target's resources (empty when they can)."""
    errors: list[str] = []
    if not re.fullmatch(PROJECT, project):
        errors.append(
            f"Pulumi.yaml: name {project!r} must be {CHARSET}, starting with a letter: {WHY}"
        )
    if not re.fullmatch(STACK, stack):
        errors.append(f"stack name {stack!r} must be {CHARSET}: {WHY}")
    if errors:
        return errors
    prefix = f"{project}-{stack}"
    for limit in LIMITS.get(target, ()):
        built = limit.name(prefix)
        if len(built) > limit.limit:
            room = limit.limit - (len(built) - len(prefix))
            errors.append(
                f"stack name {stack!r}: the {target.value} {limit.what} {built!r} would be "
                f"{len(built)} characters, {limit.limit} allowed ({limit.cite}); keep "
                f"`<project>-<stack>` within {room} characters (with project {project!r}, a "
                f"stack name of at most {max(room - len(project) - 1, 0)})"
            )
    return errors
