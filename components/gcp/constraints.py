"""What the Google Cloud APIs refuse, per resource type this target declares (see
components/constraints.py).

Each rule cites the API or product reference that states the limit. Names are checked as Google
receives them: every name this target sends is explicit (no Pulumi autoname). Add a rule when the
program starts setting an input the API constrains; add the type when the target declares a new
one (the plan lists types without constraints).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from components.constraints import Combination, Constraints, Length, OneOf, Pattern, Range, Rule

DOCS = "https://cloud.google.com"
PULUMI = "https://www.pulumi.com/registry/packages/gcp/api-docs"
COMPUTE_NAMES = f"{DOCS}/compute/docs/naming-resources#resource-name-format"
SUBNET_RANGES = f"{DOCS}/vpc/docs/subnets#valid-ranges"
PSA_RANGE = f"{DOCS}/vpc/docs/configure-private-services-access#allocating-range"
PSA_CONNECT = f"{DOCS}/vpc/docs/configure-private-services-access#creating-connection"
PSA_DELETION = f"{PULUMI}/servicenetworking/connection/#deletionpolicy_python"
SQL_DATABASE = f"{PULUMI}/sql/database/#deletionpolicy_python"
SQL_USER = f"{PULUMI}/sql/user/#deletionpolicy_python"
NETWORK_API = f"{DOCS}/compute/docs/reference/rest/v1/networks"
ADDRESS_API = f"{DOCS}/compute/docs/reference/rest/v1/globalAddresses"
SQL_ID = f"{DOCS}/sql/docs/postgres/create-instance#create-2nd-gen"
SQL_VERSIONS = f"{DOCS}/sql/docs/db-versions"
SQL_TIERS = f"{DOCS}/sql/docs/postgres/instance-settings#machine-type-2ndgen"
SQL_API = f"{DOCS}/sql/docs/postgres/admin-api/rest/v1beta4/instances"
SQL_BACKUPS = f"{DOCS}/sql/docs/postgres/backup-recovery/backups#retention"
SQL_PITR = f"{DOCS}/sql/docs/postgres/backup-recovery/pitr"
SQL_LOGS_WITHIN_BACKUPS = (
    "https://github.com/terraform-google-modules/terraform-google-sql-db/pull/785"
)
"""The API's own message, "backup retention should be > transaction log retention" (400)."""
SQL_STORAGE = f"{DOCS}/sql/docs/postgres/instance-settings#storage-capacity-2ndgen"
PG_NAMES = "https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS"
REDIS_API = f"{DOCS}/memorystore/docs/redis/reference/rest/v1/projects.locations.instances"
REDIS_CONFIGS = f"{DOCS}/memorystore/docs/redis/supported-redis-configurations"
REDIS_TIERS = f"{DOCS}/memorystore/docs/redis/redis-tiers"
BUCKET_NAMES = f"{DOCS}/storage/docs/buckets#naming"
BUCKET_API = f"{DOCS}/storage/docs/json_api/v1/buckets"
LIFECYCLE = f"{DOCS}/storage/docs/lifecycle#actions"
STORAGE_CLASSES = f"{DOCS}/storage/docs/storage-classes"
PAP = f"{DOCS}/storage/docs/public-access-prevention"
IAM_MEMBERS = f"{DOCS}/iam/docs/reference/rest/v1/Policy#binding"
SA_ID = f"{DOCS}/iam/docs/service-accounts-create#creating"
SECRET_ID = f"{DOCS}/secret-manager/docs/reference/rest/v1/projects.secrets/create"
AR_REPO = f"{DOCS}/artifact-registry/docs/reference/rest/v1/projects.locations.repositories/create"
AR_CLEANUP = f"{DOCS}/artifact-registry/docs/repositories/cleanup-policy"
RUN_SERVICE = f"{DOCS}/run/docs/reference/rest/v2/projects.locations.services/create"
RUN_INGRESS = f"{DOCS}/run/docs/reference/rest/v2/projects.locations.services#ingresstraffic"
RUN_CONCURRENCY = f"{DOCS}/run/docs/about-concurrency"
RUN_CPU = f"{DOCS}/run/docs/configuring/services/cpu"
RUN_MEMORY = f"{DOCS}/run/docs/configuring/services/memory-limits"
RUN_PROBES = f"{DOCS}/run/docs/configuring/healthchecks"
RUN_JOB = f"{DOCS}/run/docs/reference/rest/v2/projects.locations.jobs#Job"
RUN_JOB_TIMEOUT = f"{DOCS}/run/docs/configuring/task-timeout"
RUN_EGRESS = f"{DOCS}/run/docs/configuring/vpc-direct-vpc#direct-vpc-egress"
RUN_POOL = f"{DOCS}/run/docs/reference/rest/v2/projects.locations.workerPools"
RUN_JOB_TOKEN = f"{PULUMI}/cloudrunv2/job/#runexecutiontoken_python"
RUN_ENV = f"{DOCS}/run/docs/configuring/services/environment-variables#reserved-names"
RUN_CONTRACT = f"{DOCS}/run/docs/container-contract#env-vars"
NEG = f"{DOCS}/load-balancing/docs/negs/serverless-neg-concepts"
BACKEND_API = f"{DOCS}/compute/docs/reference/rest/v1/backendServices"
MANAGED_CERTS = f"{DOCS}/load-balancing/docs/ssl-certificates/google-managed-certs"
HTTPS_PROXY = f"{DOCS}/load-balancing/docs/target-proxies"
FORWARDING = f"{DOCS}/compute/docs/reference/rest/v1/globalForwardingRules"
LOG_BUCKETS = f"{DOCS}/logging/docs/reference/v2/rest/v2/projects.locations.buckets/create"
LOG_RETENTION = f"{DOCS}/logging/docs/buckets#custom-retention"
LOG_SINKS = f"{DOCS}/logging/docs/reference/v2/rest/v2/projects.sinks#LogSink"
LOG_DESTINATIONS = f"{DOCS}/logging/docs/export/configure_export_v2#supported-destinations"
LABELS = f"{DOCS}/resource-manager/docs/labels-overview#requirements"

RFC1035 = Pattern(
    r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
    "1-63 lowercase letters, digits and hyphens, a letter first, not ending in -",
)
NAME = Rule("name", RFC1035, COMPUTE_NAMES)
ROLE = Rule("role", Pattern(r"roles/[a-zA-Z0-9_.]+", "roles/<name>"), IAM_MEMBERS)
MEMBER = Rule(
    "member",
    Pattern(
        r"(serviceAccount|user|group|domain|principal|principalSet):.+|allUsers"
        r"|allAuthenticatedUsers",
        "a principal: serviceAccount:, user:, group:, domain:, allUsers...",
    ),
    IAM_MEMBERS,
)
RUN_NAME = Pattern(
    r"[a-z]([-a-z0-9]{0,47}[a-z0-9])?",
    "1-49 lowercase letters, digits and hyphens, a letter first, not ending in -",
)
LABEL = re.compile(r"[a-z][a-z0-9_-]{0,62}")
LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")


def _labels(key: str) -> Combination:
    def test(inputs: Mapping[str, Any]) -> str | None:
        found: Any = inputs
        for part in key.split("."):
            found = (found or {}).get(part) if isinstance(found, Mapping) else None
        found = found or {}
        if len(found) > 64:
            return f"{len(found)} labels"
        bad = [
            f"{k}={v}"
            for k, v in found.items()
            if not LABEL.fullmatch(str(k)) or not LABEL_VALUE.fullmatch(str(v))
        ]
        return f"bad labels {bad}" if bad else None

    return Combination(
        key, "at most 64 labels; keys [a-z][a-z0-9_-]{0,62}, values [a-z0-9_-]{0,63}", test, LABELS
    )


def _subnet_range(inputs: Mapping[str, Any]) -> str | None:
    try:
        net = ipaddress.ip_network(str(inputs.get("ipCidrRange")), strict=True)
    except ValueError as exc:
        return str(exc)
    if not 8 <= net.prefixlen <= 29:
        return f"/{net.prefixlen}"
    return None


def _psa_prefix(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("purpose") != "VPC_PEERING":
        return None
    prefix = inputs.get("prefixLength")
    if not isinstance(prefix, int) or not 8 <= prefix <= 24:
        return f"prefixLength {prefix}"
    return None


SQL_TIER = re.compile(r"db-custom-(\d+)-(\d+)")


def _sql_tier(inputs: Mapping[str, Any]) -> str | None:
    tier = str((inputs.get("settings") or {}).get("tier", ""))
    found = SQL_TIER.fullmatch(tier)
    if found is None:
        return f"{tier!r} is not db-custom-<vCPU>-<MiB>"
    cpus, memory = int(found[1]), int(found[2])
    if cpus != 1 and (cpus % 2 or cpus > 96):
        return f"{cpus} vCPU (1, or an even number up to 96)"
    if memory % 256 or not max(921.6 * cpus, 3840) <= memory <= 6656 * cpus:
        return (
            f"{memory} MiB for {cpus} vCPU (0.9-6.5 GiB per vCPU, at least 3840 MiB,"
            " a multiple of 256 MiB)"
        )
    return None


def _logs_within_backups(inputs: Mapping[str, Any]) -> str | None:
    backup = (inputs.get("settings") or {}).get("backupConfiguration") or {}
    days = backup.get("transactionLogRetentionDays")
    kept = (backup.get("backupRetentionSettings") or {}).get("retainedBackups", 7)
    if days is not None and not int(kept) > int(days):
        return f"{kept} backups kept for {days} days of transaction logs"
    return None


def _pitr_needs_backups(inputs: Mapping[str, Any]) -> str | None:
    backup = (inputs.get("settings") or {}).get("backupConfiguration") or {}
    if backup.get("pointInTimeRecoveryEnabled") and not backup.get("enabled"):
        return "point-in-time recovery without automated backups"
    return None


RUN_CPUS = ("1", "2", "4", "6", "8")
MEMORY_FLOOR = {"4": 2048, "6": 4096, "8": 4096}
MEMORY_CEILING = {"1": 4096, "2": 8192, "4": 16384, "6": 24576, "8": 32768}


def _mib(text: str) -> int | None:
    found = re.fullmatch(r"(\d+)(Mi|Gi)", text)
    if found is None:
        return None
    return int(found[1]) * (1024 if found[2] == "Gi" else 1)


def _run_limits(path: str) -> Any:
    def test(inputs: Mapping[str, Any]) -> str | None:
        problems = []
        for container in _at(inputs, path):
            limits = (container.get("resources") or {}).get("limits") or {}
            cpu, memory = str(limits.get("cpu")), _mib(str(limits.get("memory")))
            if cpu not in RUN_CPUS or memory is None:
                problems.append(f"cpu {cpu}, memory {limits.get('memory')}")
            elif not MEMORY_FLOOR.get(cpu, 512) <= memory <= MEMORY_CEILING[cpu]:
                problems.append(f"{memory} MiB with {cpu} vCPU")
        return "; ".join(problems) or None

    return test


def _at(inputs: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    node: Any = inputs
    for key in path.split("."):
        node = (node or {}).get(key) if isinstance(node, Mapping) else None
    return [c for c in node or [] if isinstance(c, Mapping)]


RUN_RESERVED_ENV = frozenset(
    {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"}
    | {"CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION", "CLOUD_RUN_TASK_INDEX"}
    | {"CLOUD_RUN_TASK_ATTEMPT", "CLOUD_RUN_TASK_COUNT"}
)
"""The variables of the container runtime contract (RUN_CONTRACT): Cloud Run sets them and
refuses a service, job or worker pool that sets one ("reserved env names were provided")."""


def _reserved_env(path: str) -> Any:
    def test(inputs: Mapping[str, Any]) -> str | None:
        found = sorted(
            str(e.get("name"))
            for c in _at(inputs, path)
            for e in c.get("envs") or []
            if isinstance(e, Mapping) and e.get("name") in RUN_RESERVED_ENV
        )
        return f"reserved env names {found}" if found else None

    return test


def _reserved(path: str) -> Combination:
    return Combination(
        path,
        "no env name Cloud Run reserves (PORT, K_*, CLOUD_RUN_*)",
        _reserved_env(path),
        RUN_ENV,
    )


def _token_fits(inputs: Mapping[str, Any]) -> str | None:
    token = inputs.get("runExecutionToken") or inputs.get("startExecutionToken")
    if token is None:
        return None
    total = len(str(inputs.get("name", ""))) + len(str(token))
    return f"name + token are {total} characters" if total >= 63 else None


def _startup_window(inputs: Mapping[str, Any]) -> str | None:
    for container in _at(inputs, "template.containers"):
        p = container.get("startupProbe") or {}
        window = int(p.get("failureThreshold", 3)) * int(p.get("periodSeconds", 10))
        if p and window > 240:
            return f"startupProbe: failureThreshold x periodSeconds = {window} s"
    return None


def _probe_timeout(inputs: Mapping[str, Any]) -> str | None:
    for container in _at(inputs, "template.containers"):
        for probe in ("startupProbe", "livenessProbe"):
            p = container.get(probe) or {}
            if p and int(p.get("timeoutSeconds", 1)) > int(p.get("periodSeconds", 10)):
                return f"{probe}: timeoutSeconds above periodSeconds"
    return None


def _min_below_max(inputs: Mapping[str, Any]) -> str | None:
    scaling = (inputs.get("template") or {}).get("scaling") or {}
    low, high = scaling.get("minInstanceCount", 0), scaling.get("maxInstanceCount", 100)
    return f"min {low} above max {high}" if low > high else None


def _serverless_backend(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("healthChecks") or inputs.get("timeoutSec") or inputs.get("portName"):
        return "health checks, timeoutSec or portName on a serverless NEG backend"
    return None


def _sink_destination(inputs: Mapping[str, Any]) -> str | None:
    dest = str(inputs.get("destination", ""))
    prefixes = ("logging.googleapis.com/", "storage.googleapis.com/", "bigquery.googleapis.com/")
    prefixes += ("pubsub.googleapis.com/",)
    return None if dest.startswith(prefixes) else f"destination {dest!r}"


CONSTRAINTS: dict[str, Constraints] = {
    "gcp:compute/network:Network": Constraints(
        (NAME, Rule("routingMode", OneOf(("REGIONAL", "GLOBAL")), NETWORK_API))
    ),
    "gcp:compute/subnetwork:Subnetwork": Constraints(
        (
            NAME,
            Combination(
                "ipCidrRange",
                "a network address with a prefix /8../29",
                _subnet_range,
                SUBNET_RANGES,
            ),
        )
    ),
    "gcp:compute/globalAddress:GlobalAddress": Constraints(
        (
            NAME,
            Rule(
                "purpose",
                OneOf(("VPC_PEERING", "PRIVATE_SERVICE_CONNECT", "IPSEC_INTERCONNECT")),
                ADDRESS_API,
            ),
            Combination(
                "prefixLength", "a peering range is /24 or larger (/8../24)", _psa_prefix, PSA_RANGE
            ),
        )
    ),
    "gcp:servicenetworking/connection:Connection": Constraints(
        (
            Rule("service", OneOf(("servicenetworking.googleapis.com",)), PSA_CONNECT),
            Rule("reservedPeeringRanges", Length(1, 50, "ranges"), PSA_CONNECT),
            Rule(
                "deletionPolicy",
                OneOf(("DELETE", "ABANDON", "REMOVE_PEERING", "PREVENT")),
                PSA_DELETION,
            ),
        )
    ),
    "gcp:sql/databaseInstance:DatabaseInstance": Constraints(
        (
            Rule(
                "name",
                Pattern(r"[a-z]([-a-z0-9]{0,96}[a-z0-9])?", "lowercase letters, digits, -"),
                SQL_ID,
            ),
            Rule(
                "databaseVersion",
                OneOf(("POSTGRES_14", "POSTGRES_15", "POSTGRES_16", "POSTGRES_17")),
                SQL_VERSIONS,
            ),
            Combination(
                "settings.tier", "a db-custom machine Cloud SQL sells", _sql_tier, SQL_TIERS
            ),
            Rule("settings.edition", OneOf(("ENTERPRISE", "ENTERPRISE_PLUS")), SQL_API),
            Rule("settings.availabilityType", OneOf(("ZONAL", "REGIONAL")), SQL_API),
            Rule("settings.diskSize", Range(10, 65536), SQL_STORAGE),
            Rule(
                "settings.ipConfiguration.sslMode",
                OneOf(
                    (
                        "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
                        "ENCRYPTED_ONLY",
                        "TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
                    )
                ),
                SQL_API,
            ),
            Rule(
                "settings.backupConfiguration.backupRetentionSettings.retainedBackups",
                Range(1, 365),
                SQL_BACKUPS,
            ),
            Rule(
                "settings.backupConfiguration.transactionLogRetentionDays",
                Range(1, 7),
                SQL_PITR,
            ),
            Combination(
                "settings.backupConfiguration",
                "point-in-time recovery needs automated backups",
                _pitr_needs_backups,
                SQL_PITR,
            ),
            Combination(
                "settings.backupConfiguration",
                "more retained backups than days of transaction logs",
                _logs_within_backups,
                SQL_LOGS_WITHIN_BACKUPS,
            ),
            _labels("settings.userLabels"),
        )
    ),
    "gcp:sql/database:Database": Constraints(
        (
            Rule("name", Length(1, 63), PG_NAMES),
            Rule("deletionPolicy", OneOf(("DELETE", "ABANDON", "PREVENT")), SQL_DATABASE),
        )
    ),
    "gcp:sql/user:User": Constraints(
        (
            Rule("name", Length(1, 63), PG_NAMES),
            Rule("deletionPolicy", OneOf(("DELETE", "ABANDON", "PREVENT")), SQL_USER),
        )
    ),
    "gcp:redis/instance:Instance": Constraints(
        (
            Rule(
                "name",
                Pattern(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?", "1-40 lowercase letters, digits, -"),
                REDIS_API,
            ),
            Rule("tier", OneOf(("BASIC", "STANDARD_HA")), REDIS_TIERS),
            Rule("memorySizeGb", Range(1, 300), REDIS_API),
            Rule(
                "redisVersion",
                OneOf(("REDIS_6_X", "REDIS_7_0", "REDIS_7_2")),
                f"{DOCS}/memorystore/docs/redis/supported-versions",
            ),
            Rule("connectMode", OneOf(("DIRECT_PEERING", "PRIVATE_SERVICE_ACCESS")), REDIS_API),
            Rule(
                "transitEncryptionMode",
                OneOf(("SERVER_AUTHENTICATION", "DISABLED")),
                REDIS_API,
            ),
            Rule(
                "persistenceConfig.rdbSnapshotPeriod",
                OneOf(("ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS")),
                REDIS_API,
            ),
            Rule(
                "redisConfigs.maxmemory-policy",
                OneOf(
                    (
                        "noeviction",
                        "allkeys-lru",
                        "volatile-lru",
                        "allkeys-random",
                        "volatile-random",
                        "volatile-ttl",
                        "allkeys-lfu",
                        "volatile-lfu",
                    )
                ),
                REDIS_CONFIGS,
            ),
            _labels("labels"),
        )
    ),
    "gcp:storage/bucket:Bucket": Constraints(
        (
            Rule(
                "name",
                Pattern(
                    r"[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]",
                    "3-63 lowercase letters, digits, -, _ and ., alphanumeric at both ends",
                ),
                BUCKET_NAMES,
            ),
            Rule("publicAccessPrevention", OneOf(("enforced", "inherited")), PAP),
            Rule(
                "storageClass",
                OneOf(("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE")),
                STORAGE_CLASSES,
            ),
            Rule(
                "lifecycleRules[].action.type",
                OneOf(("Delete", "SetStorageClass", "AbortIncompleteMultipartUpload")),
                LIFECYCLE,
            ),
            _labels("labels"),
        )
    ),
    "gcp:storage/bucketIAMMember:BucketIAMMember": Constraints((ROLE, MEMBER)),
    "gcp:serviceaccount/account:Account": Constraints(
        (
            Rule(
                "accountId",
                Pattern(r"[a-z]([-a-z0-9]{4,28}[a-z0-9])", "6-30 lowercase letters, digits, -"),
                SA_ID,
            ),
            Rule("displayName", Length(0, 100), SA_ID),
        )
    ),
    "gcp:serviceaccount/iAMMember:IAMMember": Constraints((ROLE, MEMBER)),
    "gcp:projects/iAMMember:IAMMember": Constraints((ROLE, MEMBER)),
    "gcp:secretmanager/secret:Secret": Constraints(
        (
            Rule(
                "secretId",
                Pattern(r"[a-zA-Z0-9_-]{1,255}", "1-255 of a-z, A-Z, 0-9, _, -"),
                SECRET_ID,
            ),
            _labels("labels"),
        )
    ),
    "gcp:secretmanager/secretVersion:SecretVersion": Constraints(
        (
            Rule(
                "secret",
                Pattern(r"projects/[^/]+/secrets/[^/]+", "a secret's resource name"),
                SECRET_ID,
            ),
        )
    ),
    "gcp:secretmanager/secretIamMember:SecretIamMember": Constraints((ROLE, MEMBER)),
    "gcp:artifactregistry/repository:Repository": Constraints(
        (
            Rule("repositoryId", RFC1035, AR_REPO),
            Rule(
                "format", OneOf(("DOCKER", "MAVEN", "NPM", "PYTHON", "APT", "YUM", "GO")), AR_REPO
            ),
            Rule("cleanupPolicies[].action", OneOf(("DELETE", "KEEP")), AR_CLEANUP),
            Rule(
                "cleanupPolicies[].condition.tagState",
                OneOf(("TAGGED", "UNTAGGED", "ANY")),
                AR_CLEANUP,
            ),
            Rule(
                "cleanupPolicies[].condition.olderThan",
                Pattern(r"\d+s", "a duration in seconds, like 2592000s"),
                AR_CLEANUP,
            ),
            _labels("labels"),
        )
    ),
    "gcp:cloudrunv2/job:Job": Constraints(
        (
            Rule("name", RFC1035, RUN_JOB),
            Rule("template.taskCount", Range(1, 10000), RUN_JOB),
            Rule("template.template.maxRetries", Range(0, 10), RUN_JOB),
            Rule(
                "template.template.timeout",
                Pattern(r"([1-9]\d{0,5})s", "whole seconds, at most 604800s (7 days)"),
                RUN_JOB_TIMEOUT,
            ),
            Combination(
                "template.template.containers",
                "a CPU Cloud Run sells, with memory in its range",
                _run_limits("template.template.containers"),
                RUN_MEMORY,
            ),
            Rule(
                "template.template.vpcAccess.egress",
                OneOf(("ALL_TRAFFIC", "PRIVATE_RANGES_ONLY")),
                RUN_EGRESS,
            ),
            _reserved("template.template.containers"),
            Combination(
                "runExecutionToken",
                "the job's name and the execution token together under 63 characters",
                _token_fits,
                RUN_JOB_TOKEN,
            ),
            _labels("labels"),
        )
    ),
    "gcp:cloudrunv2/service:Service": Constraints(
        (
            Rule("name", RUN_NAME, RUN_SERVICE),
            Rule(
                "ingress",
                OneOf(
                    (
                        "INGRESS_TRAFFIC_ALL",
                        "INGRESS_TRAFFIC_INTERNAL_ONLY",
                        "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
                    )
                ),
                RUN_INGRESS,
            ),
            Rule("template.maxInstanceRequestConcurrency", Range(1, 1000), RUN_CONCURRENCY),
            Combination(
                "template.containers",
                "a CPU Cloud Run sells, with memory in its range",
                _run_limits("template.containers"),
                RUN_CPU,
            ),
            Combination(
                "template.scaling", "min instances <= max instances", _min_below_max, RUN_SERVICE
            ),
            Rule("template.containers[].startupProbe.periodSeconds", Range(1, 240), RUN_PROBES),
            Rule("template.containers[].livenessProbe.periodSeconds", Range(1, 3600), RUN_PROBES),
            Combination(
                "template.containers",
                "a probe's timeout is at most its period",
                _probe_timeout,
                RUN_PROBES,
            ),
            Combination(
                "template.containers",
                "a startup probe gives up within 240 s (failureThreshold x periodSeconds)",
                _startup_window,
                RUN_PROBES,
            ),
            Rule(
                "template.vpcAccess.egress",
                OneOf(("ALL_TRAFFIC", "PRIVATE_RANGES_ONLY")),
                RUN_EGRESS,
            ),
            _reserved("template.containers"),
            _labels("labels"),
        )
    ),
    "gcp:cloudrunv2/workerPool:WorkerPool": Constraints(
        (
            Rule("name", RUN_NAME, RUN_POOL),
            Rule("scaling.scalingMode", OneOf(("MANUAL", "AUTOMATIC")), RUN_POOL),
            Rule("scaling.manualInstanceCount", Range(0, 1000), RUN_POOL),
            Rule("launchStage", OneOf(("ALPHA", "BETA", "GA")), RUN_POOL),
            Combination(
                "template.containers",
                "a CPU Cloud Run sells, with memory in its range",
                _run_limits("template.containers"),
                RUN_MEMORY,
            ),
            _reserved("template.containers"),
            _labels("labels"),
        )
    ),
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": Constraints(
        (NAME, Rule("networkEndpointType", OneOf(("SERVERLESS", "PRIVATE_SERVICE_CONNECT")), NEG))
    ),
    "gcp:compute/backendService:BackendService": Constraints(
        (
            NAME,
            Rule(
                "loadBalancingScheme",
                OneOf(
                    ("EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED")
                ),
                BACKEND_API,
            ),
            Rule("protocol", OneOf(("HTTP", "HTTPS", "HTTP2")), BACKEND_API),
            Combination(
                "healthChecks",
                "a serverless NEG backend takes no health check, timeout or port name",
                _serverless_backend,
                NEG,
            ),
            Rule("logConfig.sampleRate", Range(0, 1), BACKEND_API),
        )
    ),
    "gcp:compute/uRLMap:URLMap": Constraints((NAME,)),
    "gcp:compute/managedSslCertificate:ManagedSslCertificate": Constraints(
        (
            NAME,
            Rule("managed.domains", Length(1, 100, "domains"), MANAGED_CERTS),
            Rule(
                "managed.domains[]",
                Pattern(
                    r"(?!\*)([a-z0-9-]{1,63}\.)+[a-z]{2,63}",
                    "a fully qualified, non-wildcard domain",
                ),
                MANAGED_CERTS,
            ),
        )
    ),
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": Constraints(
        (NAME, Rule("sslCertificates", Length(1, 15, "certificates"), HTTPS_PROXY))
    ),
    "gcp:compute/targetHttpProxy:TargetHttpProxy": Constraints((NAME,)),
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": Constraints(
        (
            NAME,
            Rule("portRange", Pattern(r"\d{1,5}(-\d{1,5})?", "a port or port-port"), FORWARDING),
            Rule(
                "loadBalancingScheme",
                OneOf(("EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL_SELF_MANAGED")),
                FORWARDING,
            ),
        )
    ),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": Constraints(
        (
            Rule(
                "bucketId",
                Pattern(r"[A-Za-z0-9_-]{1,100}", "1-100 of A-Z, a-z, 0-9, _, -"),
                LOG_BUCKETS,
            ),
            Rule("retentionDays", Range(1, 3650), LOG_RETENTION),
        )
    ),
    "gcp:logging/projectSink:ProjectSink": Constraints(
        (
            Rule(
                "name",
                Pattern(r"[A-Za-z0-9_.-]{1,100}", "1-100 of A-Z, a-z, 0-9, _, -, ."),
                LOG_SINKS,
            ),
            Combination(
                "destination",
                "a Logging, Storage, BigQuery or Pub/Sub destination",
                _sink_destination,
                LOG_DESTINATIONS,
            ),
        )
    ),
}
