"""GCP-specific rules on an offline plan, each returning what is wrong (empty = holds), so a test
can feed a deliberately broken plan and see the rule fail.

- private: Cloud SQL has no public IPv4 and sits on the stack's VPC; Memorystore attaches by
  Private Service Access; the bucket enforces public access prevention and uniform access (D1, D5).
- tls: Cloud SQL accepts encrypted connections only; Memorystore has AUTH and in-transit
  encryption (D3).
- protected (production): backups kept >= 7, PITR, regional HA, Cloud SQL's deletion protection
  and Pulumi's protect, an HA Redis tier, bucket versioning (D4).
- least_privilege: every process runs as the one runtime service account (never the default
  compute one); the account's grants are exactly the documented roles, the bucket role on the
  bucket only, a secret accessor per secret (iam.py).
- secrets_by_reference: every contract secret reaches a process as a Secret Manager reference
  that the runtime account may read, never as a plain value (S2).
- private_egress: every process egresses through the stack's subnet to private ranges (W5).
- one_beat_instance: beat's worker pool has exactly one instance, manually scaled (W3).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from components.app_env import SECRET_KEYS
from components.gcp.plan_view import JOB, POOL, SERVICE, containers
from core.plan import Plan, PlanResource

SQL = "gcp:sql/databaseInstance:DatabaseInstance"
REDIS = "gcp:redis/instance:Instance"
BUCKET = "gcp:storage/bucket:Bucket"
ACCOUNT = "gcp:serviceaccount/account:Account"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
NETWORK = "gcp:compute/network:Network"
SECRET = "gcp:secretmanager/secret:Secret"
SECRET_READER = "gcp:secretmanager/secretIamMember:SecretIamMember"
BUCKET_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
ACCOUNT_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
GRANTS = {
    BUCKET_MEMBER: {"roles/storage.objectUser"},
    PROJECT_MEMBER: {"roles/cloudsql.client"},
    ACCOUNT_MEMBER: {"roles/iam.serviceAccountTokenCreator"},
    SECRET_READER: {"roles/secretmanager.secretAccessor"},
}
MIN_BACKUPS = 7


def runners(plan: Plan) -> Iterator[PlanResource]:
    """Every Cloud Run resource (job, service, worker pool)."""
    yield from (*plan.of_type(JOB), *plan.of_type(SERVICE), *plan.of_type(POOL))


def _template(resource: PlanResource) -> dict[str, Any]:
    template = dict(resource.inputs.get("template") or {})
    return dict(template.get("template") or {}) if resource.type == JOB else template


def private(plan: Plan) -> list[str]:
    problems = []
    networks = {str(n.id) for n in plan.of_type(NETWORK)}
    for sql in plan.of_type(SQL):
        ip = (sql.inputs.get("settings") or {}).get("ipConfiguration") or {}
        if ip.get("ipv4Enabled", True) or ip.get("privateNetwork") not in networks:
            problems.append(f"{sql.urn}: Cloud SQL must have only a private IP on the VPC")
    for redis in plan.of_type(REDIS):
        if redis.inputs.get("connectMode") != "PRIVATE_SERVICE_ACCESS":
            problems.append(f"{redis.urn}: Memorystore must attach by Private Service Access")
        if redis.inputs.get("authorizedNetwork") not in networks:
            problems.append(f"{redis.urn}: Memorystore must sit on the stack's VPC")
    for bucket in plan.of_type(BUCKET):
        if bucket.inputs.get("publicAccessPrevention") != "enforced":
            problems.append(f"{bucket.urn}: public access prevention is not enforced")
        if not bucket.inputs.get("uniformBucketLevelAccess"):
            problems.append(f"{bucket.urn}: uniform bucket-level access is off")
    return problems


def tls(plan: Plan) -> list[str]:
    problems = []
    for sql in plan.of_type(SQL):
        ip = (sql.inputs.get("settings") or {}).get("ipConfiguration") or {}
        if ip.get("sslMode") not in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"):
            problems.append(f"{sql.urn}: Cloud SQL accepts unencrypted connections")
    for redis in plan.of_type(REDIS):
        if redis.inputs.get("transitEncryptionMode") != "SERVER_AUTHENTICATION":
            problems.append(f"{redis.urn}: Memorystore in-transit encryption is off")
        if not redis.inputs.get("authEnabled"):
            problems.append(f"{redis.urn}: Memorystore AUTH is off")
    return problems


def protected(plan: Plan) -> list[str]:
    problems = []
    for sql in plan.of_type(SQL):
        settings = sql.inputs.get("settings") or {}
        backup = settings.get("backupConfiguration") or {}
        kept = (backup.get("backupRetentionSettings") or {}).get("retainedBackups", 0)
        if not backup.get("enabled") or kept < MIN_BACKUPS:
            problems.append(f"{sql.urn}: automated backups must keep >= {MIN_BACKUPS}")
        if not backup.get("pointInTimeRecoveryEnabled"):
            problems.append(f"{sql.urn}: point-in-time recovery is off")
        if settings.get("availabilityType") != "REGIONAL":
            problems.append(f"{sql.urn}: Cloud SQL is not regional (HA)")
        if not (sql.inputs.get("deletionProtection") and settings.get("deletionProtectionEnabled")):
            problems.append(f"{sql.urn}: Cloud SQL deletion protection is off")
        if not sql.protect:
            problems.append(f"{sql.urn}: Pulumi protect is off")
    for redis in plan.of_type(REDIS):
        if redis.inputs.get("tier") != "STANDARD_HA":
            problems.append(f"{redis.urn}: Memorystore is not the HA tier")
    for bucket in plan.of_type(BUCKET):
        if not (bucket.inputs.get("versioning") or {}).get("enabled") or not bucket.protect:
            problems.append(f"{bucket.urn}: the bucket is not versioned and protected")
    return problems


def least_privilege(plan: Plan) -> list[str]:
    problems = []
    accounts = plan.of_type(ACCOUNT)
    if len(accounts) != 1:
        return [f"expected one runtime service account, found {len(accounts)}"]
    email, member = accounts[0].outputs.get("email"), accounts[0].outputs.get("member")
    for runner in runners(plan):
        if _template(runner).get("serviceAccount") != email:
            problems.append(f"{runner.urn}: does not run as the runtime service account")
    buckets = {str(b.inputs.get("name")) for b in plan.of_type(BUCKET)}
    for token, roles in GRANTS.items():
        for grant in plan.of_type(token):
            if grant.inputs.get("member") != member:
                problems.append(f"{grant.urn}: grants {grant.inputs.get('member')}")
            if grant.inputs.get("role") not in roles:
                problems.append(f"{grant.urn}: role {grant.inputs.get('role')} is not needed")
            if token == BUCKET_MEMBER and grant.inputs.get("bucket") not in buckets:
                problems.append(f"{grant.urn}: a bucket role outside the stack's bucket")
    for token in (
        "gcp:projects/iAMBinding:IAMBinding",
        "gcp:projects/iAMPolicy:IAMPolicy",
        "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    ):
        problems += [f"{r.urn}: an authoritative binding" for r in plan.of_type(token)]
    return problems


def secrets_by_reference(plan: Plan) -> list[str]:
    problems = []
    member = next((a.outputs.get("member") for a in plan.of_type(ACCOUNT)), None)
    readable = {
        str(r.inputs.get("secretId"))
        for r in plan.of_type(SECRET_READER)
        if r.inputs.get("member") == member
    }
    ids = {str(s.id): str(s.inputs.get("secretId")) for s in plan.of_type(SECRET)}
    for runner in runners(plan):
        for c in containers(runner):
            for env in c.get("envs") or []:
                if env.get("name") not in SECRET_KEYS:
                    continue
                ref = ((env.get("valueSource") or {}).get("secretKeyRef") or {}).get("secret")
                if "value" in env or ref is None:
                    problems.append(f"{runner.urn}: {env.get('name')} is a plain value")
                elif not any(i in readable for i, sid in ids.items() if sid == ref):
                    problems.append(f"{runner.urn}: {env.get('name')}'s secret is not readable")
    return problems


def private_egress(plan: Plan) -> list[str]:
    subnets = {str(s.id) for s in plan.of_type(SUBNET)}
    problems = []
    for runner in runners(plan):
        vpc = _template(runner).get("vpcAccess") or {}
        nics = vpc.get("networkInterfaces") or []
        if not nics or any(n.get("subnetwork") not in subnets for n in nics):
            problems.append(f"{runner.urn}: no Direct VPC egress on the stack's subnet")
        if vpc.get("egress") != "PRIVATE_RANGES_ONLY":
            problems.append(f"{runner.urn}: egress {vpc.get('egress')}")
    return problems


def one_beat_instance(plan: Plan) -> list[str]:
    beats = [p for p in plan.of_type(POOL) if any(c.get("args") == ["beat"] for c in containers(p))]
    if len(beats) != 1:
        return [f"expected one beat worker pool, found {len(beats)}"]
    scaling = beats[0].inputs.get("scaling") or {}
    if scaling.get("scalingMode") != "MANUAL" or scaling.get("manualInstanceCount") != 1:
        return [f"{beats[0].urn}: beat must be one manually scaled instance, got {scaling}"]
    return []


CHECKS = {
    "private": private,
    "tls": tls,
    "least privilege": least_privilege,
    "secrets by reference": secrets_by_reference,
    "private egress": private_egress,
    "one beat instance": one_beat_instance,
}
"""Every profile; `protected` applies to production only."""
