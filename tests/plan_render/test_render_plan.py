"""The staging stack (target render) planned offline under each env profile, and its variants
(everything on Render with R2, a prebuilt private image), satisfy the shared invariants, with only
the exceptions components/render/plan_view.py documents, and the Render-specific checks."""

from __future__ import annotations

import pytest
import render_checks as checks
from render_plans import (
    ENVS,
    PRIVATE_IMAGE,
    image_plan,
    native_config,
    native_plan,
    one,
    plan_for,
    plan_with,
    staging_config,
)

from components import registry
from components.app_env import REQUIRED_KEYS
from components.render.neon import SECRET_OUTPUTS
from components.render.plan_view import EXCEPTIONS
from core.plan import MASK, Plan
from core.profiles import PROFILES
from core.vocabulary import Env
from stacks.offline import invariants

VIEW = registry.plan_view("render")
DOMAIN = "staging.trudeploy.example.com"


def assert_invariants(plan: Plan) -> None:
    """Every shared invariant holds but the documented exceptions, each seen exactly once."""
    found = invariants.violations(plan, VIEW)
    assert VIEW.unexplained(plan, found) == []
    assert sorted({v.partition(": ")[0] for v in found}) == sorted(EXCEPTIONS)
    assert len(found) == len(EXCEPTIONS)
    assert plan.unsimulated_types == []
    assert plan.unconstrained_types == []


@pytest.mark.parametrize("env", ENVS)
def test_shared_invariants_hold_but_the_documented_exceptions(env: str) -> None:
    plan = plan_for(env)
    assert (plan.target, plan.env) == ("render", env)
    assert_invariants(plan)


@pytest.mark.parametrize("variant", ["native", "image"])
def test_variants_hold_the_invariants_too(variant: str) -> None:
    assert_invariants(native_plan() if variant == "native" else image_plan())


@pytest.mark.parametrize("env", ENVS)
def test_exactly_one_beat_and_release_gates_every_deploy(env: str) -> None:
    plan = plan_for(env)
    assert checks.beat_runs_once(plan) == []
    assert checks.release_gates_deploys(plan) == []
    assert sorted(p.process for p in VIEW.processes(plan)) == ["beat", "release", "web", "worker"]


@pytest.mark.parametrize("env", ENVS)
def test_env_reaches_every_service_through_one_group_with_secrets_masked(env: str) -> None:
    plan = plan_for(env)
    assert checks.env_through_one_group(plan) == []
    keys = {p.env_keys for p in VIEW.processes(plan)}
    assert keys == {frozenset(plan.outputs["envKeys"])}


@pytest.mark.parametrize("plan_of", [lambda: plan_for("staging"), native_plan])
def test_the_broker_never_evicts_and_the_database_is_private(plan_of) -> None:
    plan = plan_of()
    assert checks.broker_keeps_tasks(plan) == []
    assert checks.database_private(plan) == []


@pytest.mark.parametrize("plan_of", [lambda: plan_for("staging"), native_plan])
def test_storage_keys_reach_only_the_bucket(plan_of) -> None:
    assert checks.storage_scoped(plan_of()) == []


@pytest.mark.parametrize("env", ENVS)
def test_web_trusts_two_proxies_and_outlives_their_idle_timeout(env: str) -> None:
    assert checks.proxy_and_keepalive(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_instances_follow_the_profile_and_only_production_autoscales(env: str) -> None:
    profile = PROFILES[Env(env)]
    assert checks.sized_by_profile(plan_for(env), profile, autoscale=env == "production") == []


def test_the_domain_is_the_only_way_in() -> None:
    assert checks.served_on_domain(plan_for("staging"), DOMAIN) == []
    assert plan_for("staging").outputs["url"] == f"https://{DOMAIN}"


def test_without_a_domain_web_serves_on_its_onrender_host() -> None:
    plan = plan_with(staging_config(domain=None))
    assert checks.served_on_domain(plan, None) == []
    web = checks.services(plan)["web"]
    host = f"{web.outputs['slug']}.onrender.com"
    assert plan.outputs["url"] == f"https://{host}"
    assert checks.plain_env(plan)["ALLOWED_HOSTS"] == host


def test_env_keys_are_the_contract_and_match_docker_and_aws() -> None:
    """Same required keys on every target; the optional storage keys differ only as the storage
    does: S3 with keys (staging) = aws + static keys; R2 (S3-compatible) = docker's MinIO set."""
    render_s3 = set(plan_for("production").outputs["envKeys"])
    render_r2 = set(native_plan().outputs["envKeys"])
    aws = set(plan_with(staging_config(env="production", target="aws", render=None,
                                       storage=None, postgres={"version": 16},
                                       redis={"version": 7}), stack="aws-twin"
                        ).outputs["envKeys"])  # fmt: skip
    docker = set(
        plan_with(
            {"trudeploy:env": "production", "trudeploy:target": "docker"}, stack="docker-twin"
        ).outputs["envKeys"]
    )
    for keys in (render_s3, render_r2, aws, docker):
        assert keys >= REQUIRED_KEYS
    assert render_s3 - aws == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert render_r2 == docker


def test_staging_builds_the_repository_dockerfile_on_render() -> None:
    web = checks.services(plan_for("staging"))["web"]
    assert web.inputs["repo"] == "https://github.com/example/trudeploy"
    assert web.inputs["autoDeploy"] == "yes"
    env = web.inputs["serviceDetails"]["envSpecificDetails"]
    assert (env["dockerfilePath"], env["dockerContext"]) == ("./app/Dockerfile", "./app")
    assert web.inputs["serviceDetails"]["runtime"] == "docker"


def test_a_prebuilt_private_image_is_pulled_with_a_secret_registry_token() -> None:
    plan = image_plan()
    credential = one(plan, "render:registrycredentials:RegistryCredential")
    assert credential.inputs["authToken"] == MASK
    for process, service in checks.services(plan).items():
        assert service.inputs["image"]["imagePath"] == PRIVATE_IMAGE, process
        assert service.inputs["image"]["registryCredentialId"] == credential.id
        assert "repo" not in service.inputs
        assert checks.deploy_of(plan, service).inputs["imageUrl"] == PRIVATE_IMAGE


def test_all_on_render_uses_render_postgres_and_key_value_sized_by_profile() -> None:
    plan = native_plan("production")
    pg = one(plan, "render:postgres:Postgres").inputs
    assert (pg["plan"], pg["version"], pg["enableHighAvailability"]) == ("pro_4gb", "16", True)
    assert pg["diskSizeGB"] == PROFILES[Env.production].postgres_storage_gb
    assert one(plan, "render:postgres:Postgres").protect is True
    dev = native_plan("development")
    assert one(dev, "render:postgres:Postgres").inputs["plan"] == "basic_256mb"
    assert one(dev, "render:postgres:Postgres").protect is False
    assert one(dev, "render:key-value:KeyValue").inputs["plan"] == "starter"
    assert plan.outputs["postgresHost"] == one(plan, "render:postgres:Postgres").id


def test_neon_credentials_are_secret_outputs() -> None:
    """pulumi-neon does not mark its URI and password secret; the component asks the engine to."""
    seen = {}

    def capture(name, cls, props, opts):
        if name.endswith("-postgres-project"):
            seen["secret_outputs"] = list(opts.additional_secret_outputs or [])
        return None

    plan = plan_with(staging_config(), transform=capture)
    assert seen["secret_outputs"] == SECRET_OUTPUTS
    project = one(plan, "neon:resource:Project").outputs
    assert project["connection_uri"] == project["default_role_password"] == MASK


def test_upstash_sits_next_to_the_render_region() -> None:
    db = one(plan_for("staging"), "upstash:index/redisDatabase:RedisDatabase").inputs
    assert (db["region"], db["primaryRegion"]) == ("global", "us-east-1")


def test_a_small_database_asked_for_ha_gets_the_smallest_plan_render_offers_it_on() -> None:
    config = native_config("production")
    config["trudeploy:postgres"] = {"provider": "native", "version": 16, "size": "s"}
    pg = one(plan_with(config), "render:postgres:Postgres").inputs
    assert (pg["plan"], pg["enableHighAvailability"]) == ("pro_4gb", True)
