"""The GCP target's provider constraints: every rule refuses a crafted bad input and accepts a good
one (cases built on the real production plan's inputs), the real plans break none of them, and
`trudeploy plan` on a stack whose plan breaks one exits non-zero naming resource, input and rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from gcp_plans import ENVS, gcp_config, plan_for

from components.gcp.constraints import CONSTRAINTS
from tests.plan.constraint_cases import DELETE, Case, one, run, uncovered

REPO = Path(__file__).resolve().parents[2]
G = "gcp:"
NETWORK, SUBNET = f"{G}compute/network:Network", f"{G}compute/subnetwork:Subnetwork"
ADDRESS = f"{G}compute/globalAddress:GlobalAddress"
PEERING = f"{G}servicenetworking/connection:Connection"
SQL, DB, USER = (
    f"{G}sql/databaseInstance:DatabaseInstance",
    f"{G}sql/database:Database",
    f"{G}sql/user:User",
)
REDIS, BUCKET = f"{G}redis/instance:Instance", f"{G}storage/bucket:Bucket"
BUCKET_MEMBER = f"{G}storage/bucketIAMMember:BucketIAMMember"
ACCOUNT = f"{G}serviceaccount/account:Account"
ACCOUNT_MEMBER, PROJECT_MEMBER = (
    f"{G}serviceaccount/iAMMember:IAMMember",
    f"{G}projects/iAMMember:IAMMember",
)
SECRET, SECRET_V = (
    f"{G}secretmanager/secret:Secret",
    f"{G}secretmanager/secretVersion:SecretVersion",
)
SECRET_READER = f"{G}secretmanager/secretIamMember:SecretIamMember"
REPO_T = f"{G}artifactregistry/repository:Repository"
JOB, SERVICE, POOL = (
    f"{G}cloudrunv2/job:Job",
    f"{G}cloudrunv2/service:Service",
    f"{G}cloudrunv2/workerPool:WorkerPool",
)
NEG = f"{G}compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup"
BACKEND, URLS = f"{G}compute/backendService:BackendService", f"{G}compute/uRLMap:URLMap"
CERT = f"{G}compute/managedSslCertificate:ManagedSslCertificate"
HTTPS, HTTP = (
    f"{G}compute/targetHttpsProxy:TargetHttpsProxy",
    f"{G}compute/targetHttpProxy:TargetHttpProxy",
)
RULE = f"{G}compute/globalForwardingRule:GlobalForwardingRule"
LOG_BUCKET = f"{G}logging/projectBucketConfig:ProjectBucketConfig"
SINK = f"{G}logging/projectSink:ProjectSink"

NAMED = (NETWORK, SUBNET, ADDRESS, NEG, BACKEND, URLS, CERT, HTTPS, HTTP, RULE)
MEMBERS = (BUCKET_MEMBER, ACCOUNT_MEMBER, PROJECT_MEMBER, SECRET_READER)
LABELLED = {
    SQL: "settings.userLabels",
    REDIS: "labels",
    BUCKET: "labels",
    SECRET: "labels",
    REPO_T: "labels",
    JOB: "labels",
    SERVICE: "labels",
    POOL: "labels",
}
CPU = "a CPU Cloud Run sells"
SA = "serviceAccount:run@p.iam.gserviceaccount.com"


def _limits(path: str, cpu: str, memory: str) -> dict:
    return {path: [{"image": "i", "resources": {"limits": {"cpu": cpu, "memory": memory}}}]}


CASES: list[Case] = [
    *(one(t, "name", "1-63 lowercase", "Bad_Name", "good-name") for t in NAMED),
    *(one(t, "name", "1-63 lowercase", "ends-", "ends-ok") for t in NAMED[:1]),
    *(one(t, "role", "roles/<name>", "editor", "roles/editor") for t in MEMBERS),
    *(one(t, "member", "a principal", "run@p.iam.gserviceaccount.com", SA) for t in MEMBERS),
    *(
        one(t, path, "at most 64 labels", {"Env": "x"}, {"env": "x"})
        for t, path in LABELLED.items()
    ),
    *(
        one(t, path, "at most 64 labels", {"env": "Prod!"}, {"env": "prod"})
        for t, path in LABELLED.items()
    ),
    one(NETWORK, "routingMode", "REGIONAL", "ZONAL", "GLOBAL"),
    one(SUBNET, "ipCidrRange", "prefix /8../29", "10.8.0.0/30", "10.8.0.0/28"),
    one(SUBNET, "ipCidrRange", "prefix /8../29", "10.8.0.1/20", "10.8.0.0/20"),
    one(ADDRESS, "purpose", "VPC_PEERING", "PEERING", "VPC_PEERING", base="-psa"),
    one(ADDRESS, "prefixLength", "/24 or larger", 28, 20, base="-psa"),
    one(
        PEERING,
        "service",
        "servicenetworking",
        "sql.googleapis.com",
        "servicenetworking.googleapis.com",
    ),
    one(PEERING, "reservedPeeringRanges", "1-50 ranges", [], ["r"]),
    one(PEERING, "deletionPolicy", "REMOVE_PEERING", "REMOVE", "ABANDON"),
    one(DB, "deletionPolicy", "ABANDON", "KEEP", "DELETE"),
    one(USER, "deletionPolicy", "ABANDON", "RETAIN", "DELETE"),
    one(SQL, "name", "lowercase letters, digits", "1db", "db-1"),
    one(SQL, "databaseVersion", "POSTGRES_16", "POSTGRES_9_6", "POSTGRES_17"),
    one(SQL, "settings.tier", "db-custom machine", "db-f1-micro", "db-custom-2-7680"),
    one(SQL, "settings.tier", "db-custom machine", "db-custom-3-7680", "db-custom-4-7680"),
    one(SQL, "settings.tier", "db-custom machine", "db-custom-2-30720", "db-custom-2-13312"),
    one(SQL, "settings.tier", "db-custom machine", "db-custom-1-1024", "db-custom-1-3840"),
    one(SQL, "settings.edition", "ENTERPRISE", "STANDARD", "ENTERPRISE_PLUS"),
    one(SQL, "settings.availabilityType", "REGIONAL", "MULTI_REGION", "ZONAL"),
    one(SQL, "settings.diskSize", "10..65536", 5, 10),
    one(SQL, "settings.ipConfiguration.sslMode", "ENCRYPTED_ONLY", "REQUIRED", "ENCRYPTED_ONLY"),
    one(
        SQL,
        "settings.backupConfiguration.backupRetentionSettings.retainedBackups",
        "1..365",
        0,
        365,
    ),
    one(SQL, "settings.backupConfiguration.transactionLogRetentionDays", "1..7", 14, 7),
    Case(
        SQL,
        "settings.backupConfiguration",
        "needs automated backups",
        {"settings.backupConfiguration.enabled": False},
        {"settings.backupConfiguration.enabled": True},
    ),
    Case(
        SQL,
        "settings.backupConfiguration",
        "more retained backups than days",
        {"settings.backupConfiguration.backupRetentionSettings.retainedBackups": 7},
        {"settings.backupConfiguration.backupRetentionSettings.retainedBackups": 8},
    ),
    one(DB, "name", "1-63", "d" * 64, "d" * 63),
    one(USER, "name", "1-63", "", "app"),
    one(REDIS, "name", "1-40", "r" * 41, "r" * 40),
    one(REDIS, "tier", "STANDARD_HA", "STANDARD", "BASIC"),
    one(REDIS, "memorySizeGb", "1..300", 0, 300),
    one(REDIS, "redisVersion", "REDIS_7_2", "REDIS_8_0", "REDIS_7_0"),
    one(REDIS, "connectMode", "PRIVATE_SERVICE_ACCESS", "PSC", "DIRECT_PEERING"),
    one(REDIS, "transitEncryptionMode", "SERVER_AUTHENTICATION", "ENABLED", "DISABLED"),
    one(REDIS, "persistenceConfig.rdbSnapshotPeriod", "ONE_HOUR", "HOURLY", "SIX_HOURS"),
    one(REDIS, "redisConfigs.maxmemory-policy", "noeviction", "allkeys", "allkeys-lru"),
    one(BUCKET, "name", "3-63 lowercase", "ab", "abc"),
    one(BUCKET, "name", "3-63 lowercase", "Media", "media"),
    one(BUCKET, "publicAccessPrevention", "enforced", "on", "inherited"),
    one(BUCKET, "storageClass", "STANDARD", "HOT", "NEARLINE"),
    one(
        BUCKET,
        "lifecycleRules[0].action.type",
        "AbortIncompleteMultipartUpload",
        "Expire",
        "Delete",
    ),
    one(ACCOUNT, "accountId", "6-30", "short", "longer"),
    one(ACCOUNT, "accountId", "6-30", "a" * 31, "a" * 30),
    one(ACCOUNT, "displayName", "0-100", "d" * 101, "d" * 100),
    one(SECRET, "secretId", "1-255", "has.dot", "has_underscore-and-dash"),
    one(SECRET_V, "secret", "resource name", "plain-id", "projects/1/secrets/x"),
    one(REPO_T, "repositoryId", "1-63 lowercase", "App", "app"),
    one(REPO_T, "format", "DOCKER", "OCI", "DOCKER"),
    one(REPO_T, "cleanupPolicies[0].action", "DELETE", "EXPIRE", "DELETE"),
    one(REPO_T, "cleanupPolicies[0].condition.tagState", "ANY", "ALL", "UNTAGGED"),
    one(REPO_T, "cleanupPolicies[0].condition.olderThan", "seconds", "30d", "86400s"),
    one(JOB, "name", "1-63 lowercase", "Release", "release"),
    one(JOB, "template.taskCount", "1..10000", 0, 1),
    one(JOB, "template.template.maxRetries", "0..10", 11, 10),
    one(JOB, "template.template.timeout", "whole seconds", "30m", "1800s"),
    one(JOB, "template.template.timeout", "whole seconds", "9999999s", "604800s"),
    Case(
        JOB,
        "template.template.containers",
        CPU,
        *(
            _limits("template.template.containers", c, m)
            for c, m in (("0.5", "512Mi"), ("1", "512Mi"))
        ),
    ),
    one(JOB, "template.template.vpcAccess.egress", "PRIVATE_RANGES_ONLY", "PRIVATE", "ALL_TRAFFIC"),
    *(
        Case(
            t,
            path,
            "Cloud Run reserves",
            {f"{path}[0].envs": [{"name": name, "value": "8000"}]},
            {f"{path}[0].envs": [{"name": "APP_PORT", "value": "8000"}]},
            id=name,
        )
        for t, path, name in (
            (JOB, "template.template.containers", "PORT"),
            (SERVICE, "template.containers", "PORT"),
            (POOL, "template.containers", "K_SERVICE"),
        )
    ),
    Case(
        JOB,
        "runExecutionToken",
        "under 63 characters",
        {"name": "r" * 49, "runExecutionToken": "t" * 14},
        {"name": "r" * 49, "runExecutionToken": "t" * 13},
    ),
    one(SERVICE, "name", "1-49", "w" * 50, "w" * 49),
    one(SERVICE, "ingress", "INGRESS_TRAFFIC_ALL", "PUBLIC", "INGRESS_TRAFFIC_ALL"),
    one(SERVICE, "template.maxInstanceRequestConcurrency", "1..1000", 1001, 1000),
    Case(
        SERVICE,
        "template.containers",
        CPU,
        *(_limits("template.containers", c, m) for c, m in (("4", "1Gi"), ("4", "2Gi"))),
    ),
    Case(
        SERVICE,
        "template.containers",
        CPU,
        *(_limits("template.containers", c, m) for c, m in (("1", "8Gi"), ("2", "8Gi"))),
    ),
    Case(
        SERVICE,
        "template.scaling",
        "min instances <= max",
        {"template.scaling.maxInstanceCount": 1},
        {"template.scaling.maxInstanceCount": 6},
    ),
    one(SERVICE, "template.containers[0].startupProbe.periodSeconds", "1..240", 300, 240),
    one(SERVICE, "template.containers[0].livenessProbe.periodSeconds", "1..3600", 0, 3600),
    Case(
        SERVICE,
        "template.containers",
        "gives up within 240 s",
        {"template.containers[0].startupProbe.failureThreshold": 25},
        {"template.containers[0].startupProbe.failureThreshold": 24},
    ),
    Case(
        SERVICE,
        "template.containers",
        "timeout is at most",
        {"template.containers[0].livenessProbe.timeoutSeconds": 20},
        {"template.containers[0].livenessProbe.timeoutSeconds": 5},
    ),
    one(SERVICE, "template.vpcAccess.egress", "PRIVATE_RANGES_ONLY", "NONE", "PRIVATE_RANGES_ONLY"),
    one(POOL, "name", "1-49", "Beat", "beat"),
    one(POOL, "scaling.scalingMode", "MANUAL", "FIXED", "AUTOMATIC"),
    one(POOL, "scaling.manualInstanceCount", "0..1000", -1, 0),
    one(POOL, "launchStage", "BETA", "PREVIEW", "GA"),
    Case(
        POOL,
        "template.containers",
        CPU,
        *(_limits("template.containers", c, m) for c, m in (("3", "2Gi"), ("2", "2Gi"))),
    ),
    one(NEG, "networkEndpointType", "SERVERLESS", "GCE_VM_IP", "SERVERLESS"),
    one(BACKEND, "loadBalancingScheme", "EXTERNAL_MANAGED", "GLOBAL", "EXTERNAL"),
    one(BACKEND, "protocol", "HTTPS", "TCP", "HTTP2"),
    one(BACKEND, "healthChecks", "serverless NEG", ["hc"], DELETE),
    one(BACKEND, "logConfig.sampleRate", "0..1", 2, 0.5),
    one(CERT, "managed.domains", "1-100 domains", [], ["a.example.com"]),
    one(CERT, "managed.domains[0]", "non-wildcard", "*.example.com", "www.example.com"),
    one(HTTPS, "sslCertificates", "1-15 certificates", [], ["c"]),
    one(RULE, "portRange", "a port", "https", "443"),
    one(RULE, "loadBalancingScheme", "EXTERNAL_MANAGED", "INTERNAL", "EXTERNAL_MANAGED"),
    one(LOG_BUCKET, "bucketId", "1-100", "has.dot", "has_underscore"),
    one(LOG_BUCKET, "retentionDays", "1..3650", 3651, 3650),
    one(SINK, "name", "1-100", "has space", "has.dot"),
    one(SINK, "destination", "Logging, Storage", "https://example.com", "logging.googleapis.com/x"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label())
def test_each_rule_refuses_the_bad_input_and_accepts_the_good_one(case: Case) -> None:
    bad, good = run(case, CONSTRAINTS, plan_for("production"))
    assert bad, f"{case.label()}: the bad input passed"
    assert not good, f"{case.label()}: the good input failed: {good}"


def test_every_gcp_rule_has_a_case() -> None:
    assert uncovered(CONSTRAINTS, CASES) == []


@pytest.mark.parametrize("env", ENVS)
def test_the_real_gcp_plans_declare_only_constrained_types(env: str) -> None:
    assert plan_for(env).unconstrained_types == []


def test_trudeploy_plan_exits_non_zero_naming_resource_input_and_rule(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    config = gcp_config(postgres={"version": 16, "storageGb": 5})
    (tmp_path / "Pulumi.prod-gcp.yaml").write_text(yaml.safe_dump({"config": config}))
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "plan", "-s", "prod-gcp", "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert (
        "gcp:sql/databaseInstance:DatabaseInstance 'trudeploy-prod-gcp-postgres-instance'" in line
    )
    assert "settings.diskSize = 5 " in line, line
    assert "10..65536" in line and "instance-settings#storage-capacity-2ndgen" in line
