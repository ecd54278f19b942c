"""The prod stack (target aws) planned offline under each env profile satisfies the invariants."""

from __future__ import annotations

import json

import aws_checks as checks
import pytest
from aws_plans import ENVS, REPO, containers, one, plan_for, plan_with, prod_config

from components import registry
from components.app_env import REQUIRED_KEYS
from core.profiles import PROFILES
from core.vocabulary import Env
from stacks.offline import invariants
from stacks.offline.runner import build_plan

VIEW = registry.plan_view("aws")
REGION = "eu-west-1"
DOMAIN = "app.trudeploy.example.com"
TAGS = {"project": "trudeploy", "stack": "prod"}


@pytest.mark.parametrize("env", ENVS)
def test_generic_invariants_hold(env: str) -> None:
    plan = plan_for(env)
    assert invariants.violations(plan, VIEW) == []
    assert plan.unsimulated_types == []
    assert (plan.target, plan.env) == ("aws", env)


@pytest.mark.parametrize("env", ENVS)
def test_only_the_service_reaches_postgres_and_redis(env: str) -> None:
    assert checks.only_service_reaches_state(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_nothing_stateful_is_public(env: str) -> None:
    assert checks.nothing_stateful_public(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_encryption_at_rest_and_tls_in_transit(env: str) -> None:
    assert checks.encrypted_and_tls(plan_for(env)) == []


def test_production_backups_multi_az_protection_and_versioning() -> None:
    assert checks.production_safety(plan_for("production")) == []
    rds = one(plan_for("production"), checks.RDS)
    assert rds.inputs["backupRetentionPeriod"] == PROFILES[Env.production].backup_retention_days


def test_development_is_small_and_cheap_and_not_protected() -> None:
    dev = plan_for("development")
    rds = one(dev, checks.RDS).inputs
    cache = one(dev, checks.CACHE).inputs
    assert (rds["instanceClass"], rds["multiAz"], rds["deletionProtection"]) == (
        "db.t4g.micro",
        False,
        False,
    )
    assert rds["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in rds
    assert (cache["nodeType"], cache["numCacheClusters"]) == ("cache.t4g.micro", 1)
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert dev.of_type("aws:s3/bucketVersioning:BucketVersioning") == []
    assert dev.of_type("aws:appautoscaling/target:Target") == []
    # the production-only check really distinguishes the profiles
    assert len(checks.production_safety(dev)) >= 6


@pytest.mark.parametrize("env", ENVS)
def test_secrets_reach_containers_only_through_secrets_manager(env: str) -> None:
    plan = plan_for(env)
    assert checks.secrets_through_secrets_manager(plan) == []
    assert invariants.no_plaintext_secrets(plan) == []
    # SECRET_KEY, database password, cache token, the env document, the ECR token at least
    assert len([s for s in plan.secret_values if len(s) >= 20]) >= 5
    version = one(plan, checks.SECRET_VERSION)
    assert version.inputs["secretString"] == "[secret]"
    assert one(plan, checks.RDS).inputs["password"] == "[secret]"
    assert one(plan, checks.CACHE).inputs["authToken"] == "[secret]"


@pytest.mark.parametrize("env", ENVS)
def test_task_role_is_scoped_to_the_bucket(env: str) -> None:
    assert checks.task_role_scoped_to_bucket(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_exactly_one_beat_and_release_before_web(env: str) -> None:
    assert checks.beat_and_release(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_container_definitions_have_the_right_shape(env: str) -> None:
    plan = plan_for(env)
    assert checks.container_shape(plan, REGION) == []
    web_task = next(t for t in checks.app_tasks(plan) if "web" in containers(t))
    defs = containers(web_task)
    assert list(defs) == ["release", "web"]
    assert defs["web"]["essential"] is True and defs["web"]["command"] == ["web"]
    assert defs["web"]["healthCheck"]["retries"] >= 1
    keys = {e["name"] for e in defs["web"]["environment"]} | {
        s["name"] for s in defs["web"]["secrets"]
    }
    assert keys >= REQUIRED_KEYS


@pytest.mark.parametrize("env", ENVS)
def test_load_balancer_checks_readiness_and_terminates_tls(env: str) -> None:
    assert checks.load_balancer(plan_for(env), DOMAIN) == []


def test_without_a_domain_the_balancer_serves_plain_http_on_its_dns_name() -> None:
    plan = plan_with(prod_config(env="development", domain=None))
    assert checks.load_balancer(plan, None) == []
    assert plan.of_type("aws:acm/certificate:Certificate") == []
    dns = one(plan, checks.LB).outputs["dnsName"]
    assert plan.outputs["url"] == f"http://{dns}"
    web = next(t for t in checks.app_tasks(plan) if "web" in containers(t))
    env = {e["name"]: e["value"] for e in containers(web)["web"]["environment"]}
    assert env["ALLOWED_HOSTS"] == dns


@pytest.mark.parametrize("env", ENVS)
def test_logs_are_kept_for_the_profile_period(env: str) -> None:
    days = PROFILES[Env(env)].log_retention_days
    assert checks.logs_retained(plan_for(env), days) == []


@pytest.mark.parametrize("env", ENVS)
def test_every_taggable_resource_carries_the_stack_tags(env: str) -> None:
    assert checks.tagged(plan_for(env), {**TAGS, "env": env}) == []


def test_web_autoscales_in_production_between_the_profile_bounds() -> None:
    plan = plan_for("production")
    profile = PROFILES[Env.production]
    target = one(plan, "aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (
        profile.web_replicas,
        profile.web_max_replicas,
    )
    assert target["resourceId"].endswith("/web")
    policy = one(plan, "aws:appautoscaling/policy:Policy").inputs
    assert policy["policyType"] == "TargetTrackingScaling"


def test_outputs_are_the_contract_plus_the_balancer() -> None:
    plan = plan_for("production")
    out = plan.outputs
    assert out["url"] == f"https://{DOMAIN}"
    assert out["databaseUrl"] == out["redisUrl"] == "[secret]"
    assert out["postgresHost"] == one(plan, checks.RDS).outputs["address"]
    assert out["postgresPort"] == 5432
    (media,) = checks.media_buckets(plan)
    assert out["bucket"] == media.inputs["bucket"] == "trudeploy-prod-media"
    assert out["loadBalancerDnsName"].endswith(f".{REGION}.elb.amazonaws.com")
    assert out["dnsRecordsToCreate"][0]["type"] == "CNAME"


def test_env_contract_keys_match_the_docker_target() -> None:
    """Same required keys; the docker twin adds only the optional storage keys that MinIO needs
    (endpoint, static keys), which AWS replaces with native S3 and the task role."""
    aws_plan = plan_for("production")
    docker_plan = plan_with(prod_config(env="production", target="docker"), stack="docker-twin")
    aws_keys = set(aws_plan.outputs["envKeys"])
    docker_keys = set(docker_plan.outputs["envKeys"])
    assert aws_keys >= REQUIRED_KEYS and docker_keys >= REQUIRED_KEYS
    assert aws_keys - docker_keys == set()
    assert docker_keys - aws_keys == {
        "AWS_S3_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    }
    assert {p.env_keys for p in VIEW.processes(aws_plan)} == {frozenset(aws_keys)}


def test_the_image_is_built_and_pushed_to_the_stacks_repository() -> None:
    plan = plan_for("production")
    repo = one(plan, "aws:ecr/repository:Repository")
    image = one(plan, "docker:index/image:Image")
    assert image.inputs["imageName"] == f"{repo.outputs['repositoryUrl']}:prod"
    assert image.inputs["registry"]["password"] == "[secret]"
    assert image.inputs["build"]["dockerfile"] == "${repo}/app/Dockerfile"
    for task in checks.app_tasks(plan):
        for c in containers(task).values():
            assert c["image"] == image.outputs["repoDigest"]


def test_a_prebuilt_image_is_used_as_given_without_a_repository() -> None:
    ref = "ghcr.io/example/trudeploy-app:1.2.3"
    plan = plan_with(prod_config(env="development", app={"image": ref}))
    assert plan.of_type("aws:ecr/repository:Repository") == []
    assert plan.of_type("docker:index/image:Image") == []
    assert {c["image"] for t in checks.app_tasks(plan) for c in containers(t).values()} == {ref}
    policy = next(
        json.loads(p.inputs["policy"])
        for p in plan.of_type(checks.ROLE_POLICY)
        if "execution" in p.name
    )
    assert not [s for s in policy["Statement"] if any("ecr:" in a for a in s["Action"])]


def test_external_postgres_opens_only_egress_and_never_leaks() -> None:
    config = prod_config(env="staging", postgres={"provider": "external"})
    config["trudeploy:postgresUrl"] = {"secure": "v1:ciphertext-the-engine-would-decrypt"}
    plan = plan_with(config)
    assert plan.of_type(checks.RDS) == []
    egress = [
        r.inputs for r in plan.of_type(checks.EGRESS) if r.inputs.get("cidrIpv4") == "0.0.0.0/0"
    ]
    assert sorted(r["fromPort"] for r in egress) == [443, 5432]
    assert invariants.no_plaintext_secrets(plan) == []
    assert invariants.env_contract(plan, VIEW) == []


def test_production_database_is_protected_from_pulumi_destroy_too() -> None:
    assert one(plan_for("production"), checks.RDS).protect is True
    assert one(plan_for("development"), checks.RDS).protect is False


def test_transform_hook_reaches_the_target_children() -> None:
    def bigger_database(name, cls, props, opts):
        if name.endswith("-postgres-instance"):
            return {**props, "instance_class": "db.r7g.large"}, opts
        return None

    plan = build_plan("prod", REPO, transform=bigger_database)
    assert one(plan, checks.RDS).inputs["instanceClass"] == "db.r7g.large"
    assert one(plan_for("production"), checks.RDS).inputs["instanceClass"] == "db.m7g.large"


def test_a_stack_without_workers_declares_no_worker_service() -> None:
    plan = plan_with(prod_config(env="development", app={"replicas": {"worker": 0}}))
    assert sorted(p.process for p in VIEW.processes(plan)) == ["beat", "release", "web"]
    assert invariants.violations(plan, VIEW) == []


@pytest.mark.parametrize("env", ENVS)
def test_iam_policies_name_real_actions_on_resources_they_apply_to(env: str) -> None:
    assert checks.iam_matches_aws_definitions(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_web_trusts_one_proxy_and_outlives_the_balancer_idle_timeout(env: str) -> None:
    plan = plan_for(env)
    idle = one(plan, "aws:lb/loadBalancer:LoadBalancer").inputs["idleTimeout"]
    for task in plan.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        for container in containers(task).values():
            plain = {e["name"]: e["value"] for e in container.get("environment", [])}
            assert plain["DEBUG"] == "false"
            assert plain["TRUSTED_PROXY_COUNT"] == "1"
            assert int(plain["GUNICORN_KEEPALIVE"]) > idle
