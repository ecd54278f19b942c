"""Computed outputs Render, Neon, Upstash, Cloudflare and AWS (S3/IAM) would return, for the
offline plan (components/simulated.py).

Values are derived from the URN (`SimArgs.digest` / `chars`) in each provider's shapes: Render ids
(`srv-`, `dpg-`, `red-`, `evg-`, `dep-` + 20 lowercase characters), internal host names that are
those ids, Neon endpoints `ep-...-<8 chars>.us-east-2.aws.neon.tech` (`NEON_REGION`), Upstash
`<name>.upstash.io` endpoints, 32-hex Cloudflare token ids. Values a provider returns as secrets
are wrapped with `secret`.
"""

from __future__ import annotations

import string
from typing import Any

from components.simulated import SimArgs, SimRule, secret

LOWER = string.ascii_lowercase + string.digits
NEON_REGION = "us-east-2"
"""The region assumed for a Neon project created without one (pulumi-neon cannot name one);
docs/render.md says to check it after the first `pulumi up`."""

_POSTGRES: dict[str, dict[str, Any]] = {}
"""Render Postgres registrations by id, so the connection-info call can answer for the database
it is asked about (the call only carries the id, as the real API's does)."""


def render_id(a: SimArgs, prefix: str) -> str:
    """A Render resource id: `<prefix>-` + 20 lowercase letters and digits."""
    return f"{prefix}-{a.chars(20, LOWER, prefix)}"


def _service(a: SimArgs) -> dict[str, Any]:
    sid = render_id(a, "srv")
    slug = str(a.inputs.get("name", a.name)).lower()
    return {
        "id": sid,
        "slug": slug,
        "dashboardUrl": f"https://dashboard.render.com/web/{sid}",
        "suspended": "not_suspended",
        "notifyOnFail": "default",
    }


def _postgres(a: SimArgs) -> dict[str, Any]:
    pid = f"{render_id(a, 'dpg')}-a"
    _POSTGRES[pid] = dict(a.inputs)
    return {
        "id": pid,
        "status": "available",
        "highAvailabilityEnabled": bool(a.inputs.get("enableHighAvailability")),
        "dashboardUrl": f"https://dashboard.render.com/d/{pid}",
    }


def _postgres_connection(a: SimArgs) -> dict[str, Any]:
    pid = str(a.inputs.get("postgresId"))
    inputs = _POSTGRES.get(pid, {})
    user = inputs.get("databaseUser", "app")
    database = inputs.get("databaseName", "app")
    password = a.chars(32, string.ascii_letters + string.digits, f"pg-password-{pid}")
    region = inputs.get("region", "oregon")
    return {
        "password": secret(password),
        "internalConnectionString": secret(f"postgresql://{user}:{password}@{pid}/{database}"),
        "externalConnectionString": secret(
            f"postgresql://{user}:{password}@{pid}.{region}-postgres.render.com/{database}"
        ),
        "psqlCommand": secret(f"PGPASSWORD={password} psql -h {pid} -U {user} {database}"),
    }


def _key_value(a: SimArgs) -> dict[str, Any]:
    return {"id": render_id(a, "red"), "status": "available", "version": "8.1.4"}


def _key_value_connection(a: SimArgs) -> dict[str, Any]:
    kid = str(a.inputs.get("keyValueId"))
    password = a.chars(32, string.ascii_letters + string.digits, f"kv-password-{kid}")
    return {
        "internalConnectionString": secret(f"redis://{kid}:6379"),
        "externalConnectionString": secret(f"rediss://{kid}:{password}@{kid}.render.com:6379"),
        "cliCommand": secret(f"redis-cli --user {kid} -a {password} -h {kid}.render.com --tls"),
    }


def _plain_id(prefix: str) -> SimRule:
    def rule(a: SimArgs) -> dict[str, Any]:
        return {"id": render_id(a, prefix)}

    return rule


def _deploy(a: SimArgs) -> dict[str, Any]:
    return {"id": render_id(a, "dep"), "status": "live", "trigger": "api"}


def _custom_domain(a: SimArgs) -> dict[str, Any]:
    return {
        "id": render_id(a, "cdm"),
        "domainType": "subdomain",
        "verificationStatus": "unverified",
    }


def _neon_project(a: SimArgs) -> dict[str, Any]:
    pid = f"{a.chars(8, string.ascii_lowercase, 'w1')}-{a.chars(6, string.ascii_lowercase, 'w2')}"
    pid += f"-{a.chars(8, string.digits, 'n')}"
    endpoint = f"ep-{a.chars(8, string.ascii_lowercase, 'ep')}-{a.chars(8, LOWER, 'epn')}"
    host = f"{endpoint}.{NEON_REGION}.aws.neon.tech"
    pooler = f"{endpoint}-pooler.{NEON_REGION}.aws.neon.tech"
    password = f"npg_{a.chars(12, string.ascii_letters + string.digits, 'pw')}"
    uri = f"postgresql://neondb_owner:{password}@{host}/neondb?sslmode=require"
    # pulumi-neon's schema names its properties in snake_case. The engine marks the credentials
    # secret because NeonPostgres lists them in additional_secret_outputs (the provider itself
    # does not); the mock monitor does not apply that option, so the rule does.
    return {
        "id": pid,
        "identifier": pid,
        "name": a.inputs.get("name"),
        "default_branch_name": "main",
        "default_database_name": "neondb",
        "default_role_name": "neondb_owner",
        "default_role_password": secret(password),
        "default_endpoint_host": host,
        "default_endpoint_host_pooler": pooler,
        "connection_uri": secret(uri),
        "connection_uri_pooler": secret(uri.replace(host, pooler)),
    }


def _upstash(a: SimArgs) -> dict[str, Any]:
    name = str(a.inputs.get("databaseName", a.name))
    parts = enumerate((8, 4, 4, 4, 12))
    dbid = "-".join(a.chars(n, "0123456789abcdef", f"id{i}") for i, n in parts)
    return {
        "id": dbid,
        "databaseId": dbid,
        "endpoint": f"{name}-{a.chars(5, string.digits, 'ep')}.upstash.io",
        "port": 6379,
        "password": secret(a.chars(34, string.ascii_letters + string.digits, "pw")),
        "restToken": secret(a.chars(60, string.ascii_letters + string.digits, "rest")),
        "readOnlyRestToken": secret(a.chars(60, string.ascii_letters + string.digits, "ro")),
        "state": "active",
        "databaseType": "Pay as You Go",
        "userEmail": "owner@example.com",
    }


def _r2_bucket(a: SimArgs) -> dict[str, Any]:
    return {"id": str(a.inputs["name"]), "creationDate": "2026-01-01T00:00:00Z"}


def _account_token(a: SimArgs) -> dict[str, Any]:
    return {
        "id": a.digest("token", 32),
        "value": secret(a.chars(40, string.ascii_letters + string.digits + "-_", "value")),
        "status": "active",
        "issuedOn": "2026-01-01T00:00:00Z",
    }


def _s3_bucket(a: SimArgs) -> dict[str, Any]:
    bucket = str(a.inputs.get("bucket") or f"{a.name}-{a.digest('autoname', 7)}")
    return {
        "id": bucket,
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
    }


def _iam_user(a: SimArgs) -> dict[str, Any]:
    name = str(a.inputs.get("name"))
    return {
        "id": name,
        "arn": f"arn:aws:iam::123456789012:user/{name}",
        "uniqueId": f"AIDA{a.chars(17, string.ascii_uppercase + string.digits, 'uid')}",
    }


def _access_key(a: SimArgs) -> dict[str, Any]:
    return {
        "id": f"AKIA{a.chars(16, string.ascii_uppercase + string.digits, 'akid')}",
        "secret": secret(a.chars(40, string.ascii_letters + string.digits + "+/", "secret")),
        "status": "Active",
    }


def _aws_child(a: SimArgs) -> dict[str, Any]:
    return {"id": str(a.inputs.get("bucket") or a.inputs.get("user") or a.name)}


RULES: dict[str, SimRule] = {
    "render:services:WebService": _service,
    "render:services:BackgroundWorker": _service,
    "render:services:Deploy": _deploy,
    "render:services:CustomDomain": _custom_domain,
    "render:env-groups:EnvGroup": _plain_id("evg"),
    "render:env-groups:EnvGroupEnvVar": _plain_id("env"),
    "render:env-groups:LinkServiceToEnvGroup": _plain_id("lnk"),
    "render:registrycredentials:RegistryCredential": _plain_id("rgc"),
    "render:postgres:Postgres": _postgres,
    "render:postgres:getPostgresConnectionInfo": _postgres_connection,
    "render:key-value:KeyValue": _key_value,
    "render:key-value:getKeyValueConnectionInfo": _key_value_connection,
    "neon:resource:Project": _neon_project,
    "upstash:index/redisDatabase:RedisDatabase": _upstash,
    "cloudflare:index/r2Bucket:R2Bucket": _r2_bucket,
    "cloudflare:index/accountToken:AccountToken": _account_token,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _aws_child,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _aws_child
    ),
    "aws:s3/bucketPolicy:BucketPolicy": _aws_child,
    "aws:s3/bucketVersioning:BucketVersioning": _aws_child,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _aws_child,
    "aws:iam/user:User": _iam_user,
    "aws:iam/userPolicy:UserPolicy": _aws_child,
    "aws:iam/accessKey:AccessKey": _access_key,
}
