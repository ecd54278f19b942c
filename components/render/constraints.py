"""What the Render, Neon, Upstash, Cloudflare and AWS APIs refuse, for every type the render target
declares (the mechanism: components/constraints.py).

Enumerations (plans, regions, runtimes, eviction policies, registries, Postgres versions) are the
provider SDKs' own enums, which are generated from each provider's API schema, so a value outside
them is one the API refuses; the SDK module is cited. Ranges and name rules cite the provider's
documentation. Where a provider documents no rule (Render's env var keys), the rule is POSIX's
portable environment-variable name, which every shell and the Docker runtime accept: stricter than
Render may be, never looser than the app needs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from components.constraints import (
    IMAGE_REFERENCE,
    Combination,
    Constraints,
    Length,
    OneOf,
    Pattern,
    Range,
    Rule,
)

SDK_SERVICES = "https://github.com/cloudy-sky-software/pulumi-render (sdk: pulumi_render/services)"
SDK_POSTGRES = "https://github.com/cloudy-sky-software/pulumi-render (sdk: pulumi_render/postgres)"
SDK_KEY_VALUE = (
    "https://github.com/cloudy-sky-software/pulumi-render (sdk: pulumi_render/key_value)"
)
SDK_REGISTRY = (
    "https://github.com/cloudy-sky-software/pulumi-render (sdk: pulumi_render/registrycredentials)"
)
RENDER_API = "https://api-docs.render.com/reference/create-service"
BLUEPRINT = "https://render.com/docs/blueprint-spec"
SCALING = "https://render.com/docs/scaling"
HEALTH = "https://render.com/docs/health-checks"
POSTGRES_HA = "https://render.com/docs/postgresql-high-availability"
CUSTOM_DOMAINS = "https://render.com/docs/custom-domains"
POSIX_ENV = "https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/V1_chap08.html"
NEON_CREATE = "https://neon.com/docs/reference/api/projects/create-project"
UPSTASH_DB = "https://www.pulumi.com/registry/packages/upstash/api-docs/redisdatabase/"
R2_BUCKETS = "https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations"
R2_LOCATIONS = "https://developers.cloudflare.com/r2/reference/data-location/#location-hints"
R2_CLASSES = "https://developers.cloudflare.com/r2/buckets/storage-classes/"
CF_TOKENS = "https://developers.cloudflare.com/fundamentals/api/how-to/create-via-api/"
S3_NAMES = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
IAM_NAMES = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

REGIONS = ("frankfurt", "oregon", "ohio", "singapore", "virginia")
SERVICE_PLANS = ("starter", "standard", "pro", "pro_plus", "pro_max", "pro_ultra")
RUNTIMES = ("docker", "elixir", "go", "node", "python", "ruby", "rust", "image")
POSTGRES_PLANS = (
    "free", "starter", "standard", "pro", "pro_plus", "custom",
    "basic_256mb", "basic_1gb", "basic_4gb",
    "pro_4gb", "pro_8gb", "pro_16gb", "pro_32gb", "pro_64gb", "pro_128gb", "pro_192gb",
    "pro_256gb", "pro_384gb", "pro_512gb",
    "accelerated_16gb", "accelerated_32gb", "accelerated_64gb", "accelerated_128gb",
    "accelerated_256gb", "accelerated_384gb", "accelerated_512gb", "accelerated_768gb",
    "accelerated_1024gb",
)  # fmt: skip
POSTGRES_VERSIONS = ("11", "12", "13", "14", "15", "16", "17", "18")
KEY_VALUE_PLANS = ("free", "starter", "standard", "pro", "pro_plus", "custom")
EVICTION = (
    "noeviction", "allkeys_lfu", "allkeys_lru", "allkeys_random",
    "volatile_lfu", "volatile_lru", "volatile_random", "volatile_ttl",
)  # fmt: skip
UPSTASH_PRIMARY = (
    "us-east-1", "us-west-1", "us-west-2", "eu-central-1", "eu-west-1", "sa-east-1",
    "ap-southeast-1", "ap-southeast-2",
)  # fmt: skip

OWNER = Pattern(r"(tea|usr)-[a-z0-9]{20}", "a Render workspace id: tea- or usr- + 20 characters")
SERVICE_ID = Pattern(r"srv-[a-z0-9]{20}", "a Render service id (srv- + 20 characters)")
ENV_GROUP_ID = Pattern(r"evg-[a-z0-9]{20}", "a Render env group id (evg- + 20 characters)")
ENV_KEY = Pattern(r"[A-Za-z_][A-Za-z0-9_]*", "a portable env var name: [A-Za-z_][A-Za-z0-9_]*")
HOSTNAME = Pattern(
    r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", "a lowercase DNS name (RFC 1123)"
)
ACCOUNT = Pattern(r"[0-9a-f]{32}", "a Cloudflare account id (32 hex characters)")
PG_IDENTIFIER = Pattern(r"[a-z_][a-z0-9_]{0,62}", "a PostgreSQL identifier: [a-z_][a-z0-9_]{0,62}")


def _service_source(inputs: Mapping[str, Any]) -> str | None:
    """A Docker build needs a repository; a prebuilt image needs its reference."""
    runtime = (inputs.get("serviceDetails") or {}).get("runtime")
    if runtime == "image" and not inputs.get("image"):
        return "runtime image without an image to pull"
    if runtime != "image" and not inputs.get("repo"):
        return f"runtime {runtime} builds from a repository, but repo is missing"
    return None


def _autoscaling_bounds(inputs: Mapping[str, Any]) -> str | None:
    scaling = (inputs.get("serviceDetails") or {}).get("autoscaling")
    if not scaling:
        return None
    low, high = scaling.get("min", 0), scaling.get("max", 0)
    if low > high:
        return f"autoscaling min {low} exceeds max {high}"
    criteria = scaling.get("criteria") or {}
    if not any((criteria.get(k) or {}).get("enabled") for k in ("cpu", "memory")):
        return "autoscaling with neither the CPU nor the memory target enabled"
    return None


def _high_availability(inputs: Mapping[str, Any]) -> str | None:
    if not inputs.get("enableHighAvailability"):
        return None
    plan, version_text = str(inputs.get("plan", "")), str(inputs.get("version", ""))
    if not version_text.isdigit():
        return None  # the version rule reports it
    version = int(version_text)
    if not plan.startswith(("pro", "accelerated")):
        return f"high availability on plan {plan} (it needs a Pro or Accelerated plan)"
    if version < 13:
        return f"high availability on PostgreSQL {version} (it needs 13 or later)"
    return None


def _primary_region_needs_global(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("primaryRegion") and inputs.get("region") != "global":
        return f"primaryRegion with region {inputs.get('region')!r} (only region global takes it)"
    if inputs.get("region") == "global" and not inputs.get("primaryRegion"):
        return "region global without a primaryRegion"
    return None


def _read_regions_exclude_primary(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("primaryRegion") in (inputs.get("readRegions") or []):
        return "readRegions includes the primaryRegion"
    return None


def _resources_json(inputs: Mapping[str, Any]) -> str | None:
    for policy in inputs.get("policies") or []:
        try:
            resources = json.loads(policy.get("resources", ""))
        except (TypeError, ValueError):
            return "policy resources is not a JSON object"
        if not isinstance(resources, dict) or not resources:
            return "policy resources names no resource"
    return None


def _s3_name_not_ip_or_dotted(inputs: Mapping[str, Any]) -> str | None:
    bucket = str(inputs.get("bucket", ""))
    if ".." in bucket or bucket.startswith("xn--") or bucket.endswith("-s3alias"):
        return "a bucket name with '..', prefix xn-- or suffix -s3alias"
    return None


SERVICE = Constraints(
        rules=(
            Rule("name", Length(1, 255), RENDER_API),
            Rule("ownerId", OWNER, RENDER_API),
            Rule("autoDeploy", OneOf(("yes", "no")), SDK_SERVICES),
            Rule("repo", Pattern(r"https://\S+", "an https repository URL"), RENDER_API),
            Rule("branch", Length(1, 255), RENDER_API),
            Rule("image.imagePath", IMAGE_REFERENCE, RENDER_API),
            Rule("image.ownerId", OWNER, RENDER_API),
            Rule("envVars[].key", ENV_KEY, POSIX_ENV),
            Rule("serviceDetails.runtime", OneOf(RUNTIMES), SDK_SERVICES),
            Rule("serviceDetails.plan", OneOf(SERVICE_PLANS), SDK_SERVICES),
            Rule("serviceDetails.region", OneOf(REGIONS), SDK_SERVICES),
            Rule("serviceDetails.numInstances", Range(1, 100), SCALING),
            Rule("serviceDetails.maxShutdownDelaySeconds", Range(1, 300), BLUEPRINT),
            Rule("serviceDetails.healthCheckPath", Pattern(r"/\S*", "a path from /"), HEALTH),
            Rule("serviceDetails.preDeployCommand", Pattern(r"\S.*", "a command"), BLUEPRINT),
            Rule("serviceDetails.envSpecificDetails.dockerCommand", Length(1, 4096), BLUEPRINT),
            Rule(
                "serviceDetails.envSpecificDetails.dockerfilePath",
                Pattern(r"\./\S+", "a ./path relative to the repository root"),
                BLUEPRINT,
            ),
            Rule(
                "serviceDetails.envSpecificDetails.dockerContext",
                Pattern(r"\.(/\S*)?", "a ./path relative to the repository root"),
                BLUEPRINT,
            ),
            Rule(
                "serviceDetails.renderSubdomainPolicy", OneOf(("enabled", "disabled")), SDK_SERVICES
            ),
            Rule("serviceDetails.autoscaling.min", Range(1, 100), SCALING),
            Rule("serviceDetails.autoscaling.max", Range(1, 100), SCALING),
            Rule("serviceDetails.autoscaling.criteria.cpu.percentage", Range(1, 90), SCALING),
            Rule("serviceDetails.autoscaling.criteria.memory.percentage", Range(1, 90), SCALING),
            Combination(
                "repo", "a docker build needs repo, an image runtime needs image", _service_source,
                RENDER_API,
            ),
            Combination(
                "serviceDetails.autoscaling", "min <= max, CPU or memory target enabled",
                _autoscaling_bounds, SCALING,
            ),
        )
)  # fmt: skip

WEB_ONLY = ("serviceDetails.healthCheckPath", "serviceDetails.renderSubdomainPolicy")
"""Inputs a web service takes and a background worker does not (no HTTP, no public URL)."""
WORKER = Constraints(
    rules=tuple(r for r in SERVICE.rules if not (isinstance(r, Rule) and r.path in WEB_ONLY))
)

CONSTRAINTS: dict[str, Constraints] = {
    "render:services:WebService": SERVICE,
    "render:services:BackgroundWorker": WORKER,
    "render:services:Deploy": Constraints(
        rules=(
            Rule("serviceId", SERVICE_ID, RENDER_API),
            Rule("clearCache", OneOf(("clear", "do_not_clear")), SDK_SERVICES),
            Rule("imageUrl", IMAGE_REFERENCE, RENDER_API),
        )
    ),
    "render:services:CustomDomain": Constraints(
        rules=(
            Rule("name", HOSTNAME, CUSTOM_DOMAINS),
            Rule("serviceId", SERVICE_ID, RENDER_API),
        )
    ),
    "render:env-groups:EnvGroup": Constraints(
        rules=(
            Rule("name", Length(1, 255), RENDER_API),
            Rule("ownerId", OWNER, RENDER_API),
            Rule("envVars[].key", ENV_KEY, POSIX_ENV),
        )
    ),
    "render:env-groups:EnvGroupEnvVar": Constraints(
        rules=(
            Rule("envGroupId", ENV_GROUP_ID, RENDER_API),
            Rule("envVarKey", ENV_KEY, POSIX_ENV),
        )
    ),
    "render:env-groups:LinkServiceToEnvGroup": Constraints(
        rules=(
            Rule("envGroupId", ENV_GROUP_ID, RENDER_API),
            Rule("serviceId", SERVICE_ID, RENDER_API),
        )
    ),
    "render:registrycredentials:RegistryCredential": Constraints(
        rules=(
            Rule("ownerId", OWNER, RENDER_API),
            Rule(
                "registry",
                OneOf(("GITHUB", "GITLAB", "DOCKER", "GOOGLE_ARTIFACT", "AWS_ECR")),
                SDK_REGISTRY,
            ),
            Rule("username", Length(1, 255), RENDER_API),
            Rule("name", Length(1, 255), RENDER_API),
        )
    ),
    "render:postgres:Postgres": Constraints(
        rules=(
            Rule("ownerId", OWNER, RENDER_API),
            Rule("plan", OneOf(POSTGRES_PLANS), SDK_POSTGRES),
            Rule("version", OneOf(POSTGRES_VERSIONS), SDK_POSTGRES),
            Rule("region", OneOf(REGIONS), SDK_POSTGRES),
            Rule("databaseName", PG_IDENTIFIER, SDK_POSTGRES),
            Rule("databaseUser", PG_IDENTIFIER, SDK_POSTGRES),
            Rule("diskSizeGB", Range(1, 16384), SDK_POSTGRES),
            Combination(
                "enableHighAvailability",
                "HA needs a Pro or Accelerated plan and PostgreSQL 13+",
                _high_availability,
                POSTGRES_HA,
            ),
        )
    ),
    "render:key-value:KeyValue": Constraints(
        rules=(
            Rule("ownerId", OWNER, RENDER_API),
            Rule("plan", OneOf(KEY_VALUE_PLANS), SDK_KEY_VALUE),
            Rule("region", OneOf(REGIONS), SDK_KEY_VALUE),
            Rule("maxmemoryPolicy", OneOf(EVICTION), SDK_KEY_VALUE),
            Rule("name", Length(1, 255), SDK_KEY_VALUE),
        )
    ),
    "neon:resource:Project": Constraints(
        rules=(
            Rule("name", Length(1, 256), NEON_CREATE),
            Rule(
                "org_id",
                Pattern(r"org-[a-z0-9-]+", "a Neon organization id (org-...)"),
                NEON_CREATE,
            ),
        )
    ),
    "upstash:index/redisDatabase:RedisDatabase": Constraints(
        rules=(
            Rule(
                "databaseName",
                Pattern(r"[A-Za-z0-9_-]{1,100}", "letters, digits, _ and -"),
                UPSTASH_DB,
            ),
            Rule("region", OneOf(("global", *UPSTASH_PRIMARY)), UPSTASH_DB),
            Rule("primaryRegion", OneOf(UPSTASH_PRIMARY), UPSTASH_DB),
            Rule("readRegions[]", OneOf(UPSTASH_PRIMARY), UPSTASH_DB),
            Rule("budget", Range(1, 10**6), UPSTASH_DB),
            Combination(
                "primaryRegion",
                "primaryRegion exactly with region global",
                _primary_region_needs_global,
                UPSTASH_DB,
            ),
            Combination(
                "readRegions",
                "read regions exclude the primary",
                _read_regions_exclude_primary,
                UPSTASH_DB,
            ),
        )
    ),
    "cloudflare:index/r2Bucket:R2Bucket": Constraints(
        rules=(
            Rule("accountId", ACCOUNT, R2_BUCKETS),
            Rule(
                "name",
                Pattern(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", "3-63 of a-z 0-9 -, not at the ends"),
                R2_BUCKETS,
            ),
            Rule("location", OneOf(("apac", "eeur", "enam", "weur", "wnam", "oc")), R2_LOCATIONS),
            Rule("storageClass", OneOf(("Standard", "InfrequentAccess")), R2_CLASSES),
            Rule("jurisdiction", OneOf(("default", "eu", "fedramp")), R2_LOCATIONS),
        )
    ),
    "cloudflare:index/accountToken:AccountToken": Constraints(
        rules=(
            Rule("accountId", ACCOUNT, CF_TOKENS),
            Rule("name", Length(1, 120), CF_TOKENS),
            Rule("policies[].effect", OneOf(("allow", "deny")), CF_TOKENS),
            Rule(
                "policies[].permissionGroups[].id",
                Pattern(r"[0-9a-f]{32}", "a permission group id (32 hex characters)"),
                CF_TOKENS,
            ),
            Combination(
                "policies",
                "resources is a JSON object naming resources",
                _resources_json,
                CF_TOKENS,
            ),
        )
    ),
    "aws:s3/bucket:Bucket": Constraints(
        autoname="bucket",
        rules=(
            Rule(
                "bucket",
                Pattern(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "3-63 of a-z 0-9 . -"),
                S3_NAMES,
            ),
            Combination(
                "bucket",
                "no '..', xn-- prefix or -s3alias suffix",
                _s3_name_not_ip_or_dotted,
                S3_NAMES,
            ),
        ),
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Constraints(
        rules=(Rule("bucket", Length(3, 63), S3_NAMES),)
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        Constraints(
            rules=(
                Rule("bucket", Length(3, 63), S3_NAMES),
                Rule(
                    "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
                    OneOf(("AES256", "aws:kms", "aws:kms:dsse")),
                    "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html",
                ),
            )
        )
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Constraints(
        rules=(
            Rule("bucket", Length(3, 63), S3_NAMES),
            Rule(
                "policy",
                Length(1, 20480),
                "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html",
            ),
        )
    ),
    "aws:s3/bucketVersioning:BucketVersioning": Constraints(
        rules=(
            Rule("bucket", Length(3, 63), S3_NAMES),
            Rule(
                "versioningConfiguration.status",
                OneOf(("Enabled", "Suspended", "Disabled")),
                "https://docs.aws.amazon.com/AmazonS3/latest/API/API_VersioningConfiguration.html",
            ),
        )
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": Constraints(
        rules=(
            Rule("bucket", Length(3, 63), S3_NAMES),
            Rule(
                "rules[].status",
                OneOf(("Enabled", "Disabled")),
                "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html",
            ),
            Rule(
                "rules[].noncurrentVersionExpiration.noncurrentDays",
                Range(1, 2**31 - 1),
                "https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html",
            ),
        )
    ),
    "aws:iam/user:User": Constraints(
        autoname="name",
        rules=(Rule("name", Pattern(r"[\w+=,.@-]{1,64}", "1-64 of [\\w+=,.@-]"), IAM_NAMES),),
    ),
    "aws:iam/userPolicy:UserPolicy": Constraints(
        rules=(
            Rule("user", Pattern(r"[\w+=,.@-]{1,64}", "1-64 of [\\w+=,.@-]"), IAM_NAMES),
            # inline policies attached to a user: at most 2,048 characters in total
            Rule("policy", Length(1, 2048), IAM_QUOTAS),
        )
    ),
    "aws:iam/accessKey:AccessKey": Constraints(
        rules=(Rule("user", Pattern(r"[\w+=,.@-]{1,64}", "1-64 of [\\w+=,.@-]"), IAM_NAMES),)
    ),
}
