"""The GCP plan under every env profile: the shared invariants, the GCP-specific rules (each fed
a broken plan too, so it is seen to fail), the env contract against the other targets, and what
each profile changes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest
from gcp_checks import (
    ACCOUNT,
    BUCKET,
    BUCKET_MEMBER,
    CHECKS,
    PROJECT_MEMBER,
    REDIS,
    SQL,
    protected,
    runners,
)
from gcp_plans import DOMAIN, ENVS, REGION, gcp_config, no_domain_plan, one, plan_for, plan_with

from components.app_env import REQUIRED_KEYS, SECRET_KEYS
from components.gcp.plan_view import JOB, POOL, SERVICE, VIEW, containers
from components.gcp.service import RELEASE_TIMEOUT
from core.plan import Plan
from stacks.offline import invariants

USER, DATABASE = "gcp:sql/user:User", "gcp:sql/database:Database"
PEERING = "gcp:servicenetworking/connection:Connection"
REPOSITORY = "gcp:artifactregistry/repository:Repository"
CERT = "gcp:compute/managedSslCertificate:ManagedSslCertificate"


@pytest.mark.parametrize("env", ENVS)
def test_shared_invariants_hold_with_no_exception(env: str) -> None:
    plan = plan_for(env)
    assert invariants.violations(plan, VIEW) == []
    assert plan.unsimulated_types == [] and plan.unconstrained_types == []


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_gcp_rules_hold(env: str, name: str) -> None:
    assert CHECKS[name](plan_for(env)) == []


def test_production_is_protected_and_the_development_profile_is_not() -> None:
    assert protected(plan_for("production")) == []
    dev = plan_for("development")
    assert len(protected(dev)) >= 5  # no HA, no PITR, no protection: what O5 needs to destroy
    assert not one(dev, SQL).protect and not one(dev, BUCKET).protect
    assert one(dev, BUCKET).inputs["forceDestroy"] is True
    for runner in runners(dev):
        assert runner.inputs["deletionProtection"] is False, runner.urn


def _broken(plan: Plan, type_token: str, edit: Callable[[dict], None]) -> Plan:
    """A copy of `plan` with `edit` applied to every resource of `type_token`."""
    broken = copy.deepcopy(plan)
    for resource in broken.of_type(type_token):
        edit(resource.inputs)
    return broken


NEGATIVE = [
    ("private", SQL, lambda i: i["settings"]["ipConfiguration"].update(ipv4Enabled=True)),
    ("private", REDIS, lambda i: i.update(connectMode="DIRECT_PEERING")),
    ("private", BUCKET, lambda i: i.update(publicAccessPrevention="inherited")),
    ("private", BUCKET, lambda i: i.update(uniformBucketLevelAccess=False)),
    ("tls", SQL, lambda i: i["settings"]["ipConfiguration"].update(sslMode="ALLOW_UNENCRYPTED_AND_ENCRYPTED")),  # noqa: E501
    ("tls", REDIS, lambda i: i.update(transitEncryptionMode="DISABLED")),
    ("tls", REDIS, lambda i: i.update(authEnabled=False)),
    ("least privilege", PROJECT_MEMBER, lambda i: i.update(role="roles/editor")),
    ("least privilege", BUCKET_MEMBER, lambda i: i.update(bucket="someone-elses-bucket")),
    ("least privilege", SERVICE, lambda i: i["template"].update(
        serviceAccount="123456789012-compute@developer.gserviceaccount.com")),
    ("secrets by reference", JOB, lambda i: i["template"]["template"]["containers"][0][
        "envs"].append({"name": "SECRET_KEY", "value": "inline"})),
    ("private egress", POOL, lambda i: i["template"].update(vpcAccess=None)),
    ("private egress", SERVICE, lambda i: i["template"]["vpcAccess"].update(egress="ALL_TRAFFIC")),
    ("one beat instance", POOL, lambda i: i["scaling"].update(manualInstanceCount=2)),
]  # fmt: skip


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda c: f"{c[0]}:{c[1].rsplit(':', 1)[-1]}")
def test_each_gcp_rule_fails_on_a_broken_plan(case: tuple) -> None:
    name, token, edit = case
    plan = plan_for("production")
    assert CHECKS[name](plan) == []
    assert CHECKS[name](_broken(plan, token, edit)) != []


@pytest.mark.parametrize(
    "edit",
    [
        lambda i: i["settings"].update(availabilityType="ZONAL"),
        lambda i: i["settings"]["backupConfiguration"].update(pointInTimeRecoveryEnabled=False),
        lambda i: i["settings"]["backupConfiguration"]["backupRetentionSettings"].update(
            retainedBackups=3
        ),
        lambda i: i.update(deletionProtection=False),
    ],
)
def test_production_protection_fails_on_a_weakened_database(edit) -> None:
    assert protected(_broken(plan_for("production"), SQL, edit)) != []


def test_secrets_are_references_the_runtime_account_reads() -> None:
    plan = plan_for("production")
    account = one(plan, ACCOUNT)
    assert "compute@developer" not in account.outputs["email"]
    for runner in runners(plan):
        envs = {e["name"]: e for e in containers(runner)[0]["envs"]}
        assert SECRET_KEYS & set(envs) == {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
        for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
            assert "value" not in envs[key]
            assert envs[key]["valueSource"]["secretKeyRef"]["version"] == "1"


def _golden_keys(stack: str) -> set[str]:
    path = Path(__file__).resolve().parents[1] / "plan" / "golden" / f"{stack}.json"
    return set(json.loads(path.read_text())["outputs"]["envKeys"])


@pytest.mark.parametrize(
    ("stack", "only_there"),
    [
        ("prod", set()),  # aws: task role, native S3
        ("dev", {"AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}),  # MinIO
    ],
)
def test_env_contract_keys_match_the_other_targets(stack: str, only_there: set[str]) -> None:
    """The same required keys as the reviewed golden plans of the other targets; GCP adds only
    the Memorystore CA, and lacks only the static-key settings its service account replaces."""
    plan = plan_for("production")
    gcp, other = set(plan.outputs["envKeys"]), _golden_keys(stack)
    assert gcp >= REQUIRED_KEYS and other >= REQUIRED_KEYS
    assert gcp - other == {"REDIS_CA_CERT"}
    assert other - gcp == only_there
    assert {p.env_keys for p in VIEW.processes(plan)} == {frozenset(gcp)}
    env = {e["name"]: e.get("value") for e in containers(one(plan, SERVICE))[0]["envs"]}
    assert env["STORAGE_BACKEND"] == "gcs"
    assert env["AWS_STORAGE_BUCKET_NAME"] == "trudeploy-prod-gcp-media"
    assert env["REDIS_CA_CERT"].startswith("-----BEGIN CERTIFICATE-----")


def test_release_job_runs_once_per_image_and_gates_web() -> None:
    plan = plan_for("production")
    job, web = one(plan, JOB), one(plan, SERVICE)
    assert job.urn in plan.depends_on(web.urn)
    assert job.inputs["template"]["template"]["maxRetries"] == 0
    token = job.inputs["runExecutionToken"]
    image = containers(job)[0]["image"]
    other = plan_with(gcp_config(app={"image": "ghcr.io/example/app:2"}))
    assert one(other, JOB).inputs["runExecutionToken"] != token
    assert containers(one(other, JOB))[0]["image"] == "ghcr.io/example/app:2" != image
    for pool in plan.of_type(POOL):
        assert web.urn in plan.depends_on(pool.urn)


def test_web_probes_and_scaling_follow_the_profile() -> None:
    plan = plan_for("production")
    web = one(plan, SERVICE)
    c = containers(web)[0]
    assert c["startupProbe"]["httpGet"]["path"] == "/api/v1/health/ready/"
    assert c["livenessProbe"]["httpGet"]["path"] == "/api/v1/health/live/"
    assert web.inputs["template"]["scaling"] == {"minInstanceCount": 2, "maxInstanceCount": 6}
    assert web.inputs["template"]["maxInstanceRequestConcurrency"] == 8
    worker = next(p for p in plan.of_type(POOL) if containers(p)[0]["args"] == ["worker"])
    assert worker.inputs["scaling"]["manualInstanceCount"] == 2


def test_the_domain_puts_web_behind_a_load_balancer_with_a_managed_certificate() -> None:
    plan = plan_for("production")
    cert = one(plan, "gcp:compute/managedSslCertificate:ManagedSslCertificate")
    assert cert.inputs["managed"]["domains"] == [DOMAIN]
    assert one(plan, SERVICE).inputs["ingress"] == "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
    ports = sorted(r.inputs["portRange"] for r in plan.of_type(
        "gcp:compute/globalForwardingRule:GlobalForwardingRule"))  # fmt: skip
    assert ports == ["443", "80"]
    env = {e["name"]: e.get("value") for e in containers(one(plan, SERVICE))[0]["envs"]}
    assert env["TRUSTED_PROXY_COUNT"] == "2" and env["ALLOWED_HOSTS"] == DOMAIN
    assert plan.outputs["url"] == f"https://{DOMAIN}"


def test_without_a_domain_web_serves_its_run_app_url_behind_one_proxy() -> None:
    plan = no_domain_plan()
    assert plan.of_type("gcp:compute/managedSslCertificate:ManagedSslCertificate") == []
    web = one(plan, SERVICE)
    assert web.inputs["ingress"] == "INGRESS_TRAFFIC_ALL"
    env = {e["name"]: e.get("value") for e in containers(web)[0]["envs"]}
    host = f"trudeploy-prod-gcp-app-web-123456789012.{REGION}.run.app"
    assert env["ALLOWED_HOSTS"] == host and env["TRUSTED_PROXY_COUNT"] == "1"
    assert plan.outputs["url"] == f"https://{host}"


@pytest.mark.parametrize("env", ENVS)
def test_cloud_run_sets_port_itself_and_to_the_contract_port(env: str) -> None:
    """Cloud Run refuses a job, service or worker pool that sets the reserved PORT, and gives web
    PORT = its container port: that port must be the contract's (the app's gunicorn binds it)."""
    plan = plan_for(env)
    for runner in runners(plan):
        assert "PORT" not in {e["name"] for e in containers(runner)[0]["envs"]}, runner.urn
    assert "PORT" in set(plan.outputs["envKeys"])
    assert containers(one(plan, SERVICE))[0]["ports"]["containerPort"] == 8000
    assert all("PORT" in p.env_keys for p in VIEW.processes(plan))


def test_development_destroy_is_not_stopped_by_the_database_user_or_the_peering() -> None:
    """`pulumi destroy` deletes the user and database before the instance, and the peering after
    it: PostgreSQL refuses to drop a user that owns the migrated tables, and Service Networking
    refuses to delete a connection Cloud SQL still holds (days after the instance), leaving the
    peering that blocks the VPC's deletion. Both are left to go with what holds them."""
    plan = plan_for("development")
    assert one(plan, USER).inputs["deletionPolicy"] == "ABANDON"
    assert one(plan, DATABASE).inputs["deletionPolicy"] == "ABANDON"
    assert one(plan, PEERING).inputs["deletionPolicy"] == "REMOVE_PEERING"


def test_the_registry_deletes_old_images_and_keeps_the_newest() -> None:
    """A keep policy alone deletes nothing (it only exempts versions from a delete policy), so
    the repository needs a delete policy for its keep policy to mean anything."""
    policies = one(plan_for("production"), REPOSITORY).inputs["cleanupPolicies"]
    actions = {p["action"]: p for p in policies}
    assert set(actions) == {"DELETE", "KEEP"}
    assert actions["DELETE"]["condition"] == {"tagState": "ANY", "olderThan": "2592000s"}
    assert actions["KEEP"]["mostRecentVersions"]["keepCount"] == 30


def test_pulumi_up_waits_for_the_release_as_long_as_the_release_may_run() -> None:
    """The provider waits 20 minutes by default for the job update that runs the release; the task
    may run RELEASE_TIMEOUT (30 minutes), so the wait must be longer or a long migration fails
    `pulumi up` while it still runs."""
    waits: dict[str, object] = {}

    def spy(name: str, cls: type, props: dict, opts: pulumi.ResourceOptions) -> None:
        if cls.__name__ == "Job":
            waits[name] = opts.custom_timeouts

    plan_with(gcp_config(), transform=spy)
    [timeouts] = waits.values()
    task = int(RELEASE_TIMEOUT.rstrip("s"))
    for wait in (timeouts.create, timeouts.update):
        assert wait.endswith("m") and int(wait[:-1]) * 60 > task, wait


def test_a_domain_change_gets_a_new_certificate_name() -> None:
    """A managed certificate's domains are immutable and the proxy holds it: one fixed name makes
    a domain change fail (resourceInUseByAnotherResource); a name per domain lets Pulumi create
    the new certificate, repoint the proxy, then delete the old one."""
    names = {
        one(plan_with(gcp_config(domain=domain)), CERT).inputs["name"]
        for domain in (DOMAIN, "www.trudeploy.example.com")
    }
    assert len(names) == 2
    assert all(len(n) <= 63 for n in names)


def test_autoresize_owns_the_database_disk_after_creation() -> None:
    """Autoresize grows the disk and a size cannot be reduced, so the declared size must not be
    re-applied on later updates (the provider documents ignoring changes to it)."""
    ignored: dict[str, list[str]] = {}

    def spy(name: str, cls: type, props: dict, opts: pulumi.ResourceOptions) -> None:
        if cls.__name__ == "DatabaseInstance":
            assert props["settings"]["disk_autoresize"] is True
            ignored[name] = list(opts.ignore_changes or [])

    plan_with(gcp_config(), transform=spy)
    assert list(ignored.values()) == [["settings.diskSize"]]


def test_worker_pools_declare_no_preview_launch_stage() -> None:
    """Cloud Run reads a resource's launch stage back as the least stable one it uses: worker
    pools are GA, so a declared BETA would differ from what is read on every update."""
    for pool in plan_for("production").of_type(POOL):
        assert pool.inputs.get("launchStage", "GA") == "GA", pool.urn
