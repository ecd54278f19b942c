"""Every target exports what a move needs to reach its stores (stacks/program.py): databaseUrl and
redisUrl (secrets), storageUrl in the form `trudeploy migrate storage` takes, and the endpoint,
region and keys (secrets) exactly where the provider's defaults do not apply. The plan masks a
secret output as `[secret]`, so a key exported in plaintext fails here by its value showing."""

from __future__ import annotations

import re
from functools import cache

import pytest

from core.plan import MASK, Plan
from migrate.storage.schemes import AZURE
from stacks.offline.runner import build_plan
from tests.plan_kubernetes.kubernetes_plans import env_config as k8s_env_config
from tests.plan_render.render_plans import native_config as render_r2_config
from tests.stack_plans import plan_in_project

STORAGE_OUTPUTS = {
    "storageUrl",
    "storageEndpoint",
    "storageRegion",
    "storageAccessKeyId",
    "storageSecretAccessKey",
}
KEYS = {"storageAccessKeyId", "storageSecretAccessKey"}
# what `migrate storage` reads as --from/--to (migrate/storage/locate.py, schemes.py)
S3_URL = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
GS_URL = re.compile(r"gs://[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")

# stack (or variant) -> (scheme, the storage outputs it exports beside storageUrl, endpoint)
EXPECTED: dict[str, tuple[str, set[str], str | None]] = {
    "dev": ("s3", {"storageEndpoint", "storageRegion", *KEYS}, "http://minio:9000"),
    "prod": ("s3", {"storageRegion"}, None),
    "prod-gcp": ("gs", set(), None),
    "prod-azure": ("az", {"storageEndpoint"}, r"https://{account}.blob.core.windows.net"),
    "prod-k8s": ("s3", {"storageEndpoint", "storageRegion", *KEYS}, "https://s3.eu-west-1.amazonaws.com"),
    "prod-k8s/minio": ("s3", {"storageEndpoint", "storageRegion", *KEYS}, r"http://minio.{ns}.svc.cluster.local:9000"),
    "staging": ("s3", {"storageRegion", *KEYS}, None),
    "staging/r2": ("s3", {"storageEndpoint", "storageRegion", *KEYS}, r"https://{r2}.r2.cloudflarestorage.com"),
}  # fmt: skip


@cache
def plan_of(name: str) -> Plan:
    if name == "prod-k8s/minio":
        return plan_in_project(k8s_env_config("development"), "prod-k8s")
    if name == "staging/r2":
        return plan_in_project(render_r2_config(), "staging")
    return build_plan(name)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_connection_urls_are_secret_outputs(name: str) -> None:
    outputs = plan_of(name).outputs
    assert outputs["databaseUrl"] == outputs["redisUrl"] == MASK


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_redis_with_its_own_ca_exports_it(name: str) -> None:
    """Memorystore (gcp) signs with a CA of the instance's own: a move must pin it to reach
    redisUrl, so it is exported (a certificate, not a secret); nowhere else."""
    ca = plan_of(name).outputs.get("redisCaCert")
    if name == "prod-gcp":
        assert ca.startswith("-----BEGIN CERTIFICATE-----\n")
    else:
        assert ca is None


@pytest.mark.parametrize("name", list(EXPECTED))
def test_storage_outputs_are_what_migrate_storage_takes(name: str) -> None:
    scheme, extra, endpoint = EXPECTED[name]
    outputs = plan_of(name).outputs
    assert STORAGE_OUTPUTS & set(outputs) == {"storageUrl", *extra}
    url = outputs["storageUrl"]
    bucket = outputs["bucket"]
    if scheme == "s3":
        assert S3_URL.fullmatch(url) and url == f"s3://{bucket}"
    elif scheme == "gs":
        assert GS_URL.fullmatch(url) and url == f"gs://{bucket}"
    else:
        where = AZURE.parse(url, "--from")
        assert where.container == bucket and where.prefix == ""
        endpoint = endpoint.replace("{account}", where.account)
    for name_ in KEYS & extra:
        assert outputs[name_] == MASK, f"{name_} must be a secret output"
    for plain in ("storageUrl", "storageEndpoint", "storageRegion"):
        assert outputs.get(plain, "") != MASK
    if endpoint is None:
        return
    pattern = re.escape(endpoint).replace(r"\{ns\}", "[a-z0-9-]+").replace(r"\{r2\}", "[0-9a-f]+")
    assert re.fullmatch(pattern, outputs["storageEndpoint"]), outputs["storageEndpoint"]
