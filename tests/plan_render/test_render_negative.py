"""Negative controls: each Render check fails on a deliberately broken copy of a passing plan, and
every provider constraint the render target declares refuses a bad value and accepts the planned
one, so a green plan test means the rule holds, not that the check is blind."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import render_checks as checks
from render_plans import image_plan, named, native_plan, plan_for, plan_with, staging_config

from components import registry
from components.constraints import (
    Combination,
    ConstraintViolations,
    Length,
    OneOf,
    Pattern,
    Range,
    Rule,
    check,
)
from components.render.constraints import CONSTRAINTS
from components.render.plan_view import excepted
from components.simulated import SimArgs
from core.plan import Plan
from core.profiles import PROFILES
from core.vocabulary import Env
from stacks.offline import invariants

VIEW = registry.plan_view("render")


def broken(mutate: Callable[[Plan], None], plan: Plan | None = None) -> Plan:
    plan = copy.deepcopy(plan or plan_for("production"))
    mutate(plan)
    return plan


def web(plan: Plan):
    return checks.services(plan)["web"]


# --------------------------------------------------------------------------- checks


def test_a_second_or_scaled_beat_is_caught() -> None:
    def two(plan: Plan) -> None:
        named(plan, "app-beat", checks.WORKER).inputs["serviceDetails"]["numInstances"] = 2

    def scaled(plan: Plan) -> None:
        beat = named(plan, "app-beat", checks.WORKER).inputs["serviceDetails"]
        beat["autoscaling"] = {"enabled": True, "min": 1, "max": 3}

    assert checks.beat_runs_once(broken(two))
    assert checks.beat_runs_once(broken(scaled))


def test_a_missing_release_or_wrong_health_path_is_caught() -> None:
    def no_release(plan: Plan) -> None:
        del web(plan).inputs["serviceDetails"]["preDeployCommand"]

    def live_path(plan: Plan) -> None:
        web(plan).inputs["serviceDetails"]["healthCheckPath"] = "/api/v1/health/live/"

    assert checks.release_gates_deploys(broken(no_release))
    assert checks.release_gates_deploys(broken(live_path))
    plan = broken(no_release)
    assert VIEW.unexplained(plan, invariants.violations(plan, VIEW))


def test_a_deploy_before_the_env_link_or_before_web_is_caught() -> None:
    def unordered(plan: Plan) -> None:
        deploy = named(plan, "app-worker-deploy", checks.DEPLOY)
        deploy.dependencies = [d for d in deploy.dependencies if "deploy" not in d]

    def unlinked(plan: Plan) -> None:
        for deploy in plan.of_type(checks.DEPLOY):
            deploy.dependencies = [d for d in deploy.dependencies if "env-link" not in d]

    assert "worker deploys without waiting for web's release" in checks.release_gates_deploys(
        broken(unordered)
    )
    assert checks.release_gates_deploys(broken(unlinked))


def test_a_web_deploy_not_after_its_service_breaks_release_before_web() -> None:
    def detached(plan: Plan) -> None:
        deploy = named(plan, "app-web-deploy", checks.DEPLOY)
        deploy.dependencies = []
        deploy.property_dependencies = {}

    plan = broken(detached)
    assert invariants.release_before_web(plan, VIEW)


def test_a_plain_secret_or_an_unlinked_service_is_caught() -> None:
    def plain_secret(plan: Plan) -> None:
        group = plan.of_type(checks.ENV_GROUP)[0]
        group.inputs["envVars"].append({"key": "SECRET_KEY", "value": "not-so-secret"})

    def unmasked(plan: Plan) -> None:
        plan.of_type(checks.ENV_VAR)[0].inputs["value"] = "plaintext"

    def unlinked(plan: Plan) -> None:
        plan.resources.remove(named(plan, "app-beat-env-link"))

    assert checks.env_through_one_group(broken(plain_secret))
    assert checks.env_through_one_group(broken(unmasked))
    assert checks.env_through_one_group(broken(unlinked))
    plan = broken(unlinked)
    assert invariants.env_contract(plan, VIEW)


def test_an_evicting_or_public_broker_is_caught() -> None:
    def evicting(plan: Plan) -> None:
        plan.of_type(checks.KEY_VALUE)[0].inputs["maxmemoryPolicy"] = "allkeys_lru"

    def public(plan: Plan) -> None:
        kv = plan.of_type(checks.KEY_VALUE)[0]
        kv.inputs["ipAllowList"] = [{"cidrBlock": "0.0.0.0/0", "description": "all"}]

    def upstash_evicting(plan: Plan) -> None:
        plan.of_type(checks.UPSTASH)[0].inputs["eviction"] = True

    assert checks.broker_keeps_tasks(broken(evicting, native_plan()))
    assert checks.broker_keeps_tasks(broken(public, native_plan()))
    assert checks.broker_keeps_tasks(broken(upstash_evicting))


def test_a_public_database_is_caught() -> None:
    def public(plan: Plan) -> None:
        pg = plan.of_type(checks.POSTGRES)[0]
        pg.inputs["ipAllowList"] = [{"cidrBlock": "0.0.0.0/0", "description": "all"}]

    assert checks.database_private(broken(public, native_plan()))


def test_storage_keys_wider_than_the_bucket_are_caught() -> None:
    def wide_user(plan: Plan) -> None:
        policy = plan.of_type("aws:iam/userPolicy:UserPolicy")[0]
        policy.inputs["policy"] = policy.inputs["policy"].replace(
            "arn:aws:s3:::trudeploy-staging-media/*", "arn:aws:s3:::*"
        )

    def wide_token(plan: Plan) -> None:
        token = plan.of_type(checks.TOKEN)[0]
        token.inputs["policies"][0]["resources"] = '{"com.cloudflare.api.account.x": "*"}'

    def public(plan: Plan) -> None:
        plan.resources.remove(named(plan, "storage-public-access"))

    assert checks.storage_scoped(broken(wide_user))
    assert checks.storage_scoped(broken(wide_token, native_plan()))
    assert checks.storage_scoped(broken(public))


def test_a_wrong_proxy_count_or_short_keepalive_is_caught() -> None:
    def edit(key: str, value: str) -> Callable[[Plan], None]:
        def mutate(plan: Plan) -> None:
            group = plan.of_type(checks.ENV_GROUP)[0]
            for item in group.inputs["envVars"]:
                if item["key"] == key:
                    item["value"] = value

        return mutate

    assert checks.proxy_and_keepalive(broken(edit("TRUSTED_PROXY_COUNT", "1")))
    assert checks.proxy_and_keepalive(broken(edit("GUNICORN_KEEPALIVE", "75")))


def test_sizing_outside_the_profile_is_caught() -> None:
    prod = PROFILES[Env.production]
    dev_plan = plan_for("development")
    assert checks.sized_by_profile(dev_plan, prod, autoscale=True)
    assert checks.sized_by_profile(plan_for("production"), prod, autoscale=False)


def test_a_missing_domain_is_caught() -> None:
    def no_domain(plan: Plan) -> None:
        plan.resources.remove(plan.of_type(checks.DOMAIN)[0])

    assert checks.served_on_domain(broken(no_domain), "staging.trudeploy.example.com")


def test_only_the_documented_exceptions_are_excused() -> None:
    plan = plan_for("staging")
    web_deploy = named(plan, "app-web-deploy", checks.DEPLOY).urn
    assert excepted(f"W4 health paths: {web_deploy}: no health check on /api/v1/health/live/", plan)
    assert not excepted(f"W4 health paths: {web_deploy}: no health check on /api/v1/health/ready/",
                        plan)  # fmt: skip
    assert not excepted("S1 no plaintext secrets: a secret value (64 chars, starts 'abc') "
                        "appears in plaintext", plan)  # fmt: skip
    assert not excepted("W3 exactly one beat: expected exactly one beat, found 2", plan)


# --------------------------------------------------------------------------- constraints

SCALING = "serviceDetails.autoscaling.criteria"
NEVER_SENT = {
    ("render:services:WebService", "envVars[].key"): "env reaches services through the group",
    ("render:services:BackgroundWorker", "envVars[].key"): "env reaches services via the group",
    ("render:services:BackgroundWorker", "serviceDetails.preDeployCommand"): "release is web's",
    ("render:services:BackgroundWorker", "serviceDetails.autoscaling.min"): "beat never scales",
    ("render:services:BackgroundWorker", "serviceDetails.autoscaling.max"): "beat never scales",
    ("render:services:BackgroundWorker", f"{SCALING}.cpu.percentage"): "beat never scales",
    ("render:services:BackgroundWorker", f"{SCALING}.memory.percentage"): "beat never scales",
    ("neon:resource:Project", "org_id"): "the API key's organization is used",
    ("upstash:index/redisDatabase:RedisDatabase", "readRegions[]"): "no read replicas",
    ("upstash:index/redisDatabase:RedisDatabase", "budget"): "Upstash's default budget",
    ("cloudflare:index/r2Bucket:R2Bucket", "jurisdiction"): "the default jurisdiction",
}  # fmt: skip
"""Rules on inputs no plan sends (the provider's default applies); kept so a stack that sends one
is checked. Every other rule's path must be sent by some plan: a misspelt path checks nothing."""


def every_plan() -> list[Plan]:
    return [*(plan_for(e) for e in ("development", "staging", "production")),
            native_plan(), native_plan("development"), image_plan()]  # fmt: skip


def rules() -> list[tuple[str, Rule]]:
    return [(t, r) for t, spec in CONSTRAINTS.items() for r in spec.rules if isinstance(r, Rule)]


def bad_value(rule: Rule) -> Any:
    """A value the rule refuses."""
    c = rule.check
    if isinstance(c, OneOf):
        return "not-an-allowed-value"
    if isinstance(c, Range):
        return c.high + 1
    if isinstance(c, Length):
        return "x" * (c.high + 1)
    if isinstance(c, Pattern):
        return " Not valid!"
    raise AssertionError(f"no bad value for {c}")


def set_at(inputs: dict[str, Any], path: str, value: Any) -> None:
    """Set `path` (`a.b`, `list[].c`: the first item) in `inputs`, creating what is missing."""
    head, _, rest = path.partition(".")
    key, bracket, _ = head.partition("[")
    if bracket:
        items = inputs.setdefault(key, [])
        if not items:
            items.append({} if rest else value)
        if rest:
            set_at(items[0], rest, value)
        else:
            items[0] = value
    elif rest:
        set_at(inputs.setdefault(key, {}), rest, value)
    else:
        inputs[key] = value


def sample(type_token: str) -> tuple[str, dict[str, Any]]:
    """A planned resource of the type: (logical name, inputs)."""
    for plan in every_plan():
        for res in plan.of_type(type_token):
            return res.name, copy.deepcopy(res.inputs)
    raise AssertionError(f"no plan declares {type_token}")


def sim(type_token: str, name: str, inputs: dict[str, Any]) -> SimArgs:
    return SimArgs(type_token, name, f"urn:pulumi:s::p::{type_token}::{name}", inputs, "s", "p")


@pytest.mark.parametrize(("type_token", "rule"), rules(), ids=lambda x: getattr(x, "path", x))
def test_every_rule_refuses_a_bad_value_and_accepts_the_planned_one(
    type_token: str, rule: Rule
) -> None:
    spec = CONSTRAINTS[type_token]
    name, inputs = sample(type_token)
    assert [v for v in check(spec, sim(type_token, name, inputs)) if v.rule] == []
    set_at(inputs, rule.path, bad_value(rule))
    found = check(spec, sim(type_token, name, inputs))
    stem = rule.path.replace("[]", "[0]")
    assert any(v.path.startswith(stem) for v in found), (rule.path, found)


@pytest.mark.parametrize(("type_token", "rule"), rules(), ids=lambda x: getattr(x, "path", x))
def test_every_rule_checks_an_input_some_plan_sends(type_token: str, rule: Rule) -> None:
    if (type_token, rule.path) in NEVER_SENT:
        return
    from components.constraints import values_at

    sent = any(
        list(values_at(res.inputs, rule.path))
        for plan in every_plan()
        for res in plan.of_type(type_token)
    )
    assert sent, f"{type_token} {rule.path}: no plan sends it (misspelt path?)"


COMBINATIONS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    # (type, combination input path, a refused edit, an accepted edit)
    ("render:services:WebService", "repo", {"repo": None}, {}),
    ("render:services:WebService", "serviceDetails.autoscaling",
     {"serviceDetails.autoscaling": {"enabled": True, "min": 3, "max": 2,
                                     "criteria": {"cpu": {"enabled": True, "percentage": 70}}}},
     {"serviceDetails.autoscaling": {"enabled": True, "min": 1, "max": 2,
                                     "criteria": {"cpu": {"enabled": True, "percentage": 70}}}}),
    ("render:postgres:Postgres", "enableHighAvailability",
     {"enableHighAvailability": True, "plan": "basic_1gb"},
     {"enableHighAvailability": True, "plan": "pro_8gb"}),
    ("render:postgres:Postgres", "enableHighAvailability",
     {"enableHighAvailability": True, "version": "12"}, {"enableHighAvailability": False}),
    ("upstash:index/redisDatabase:RedisDatabase", "primaryRegion",
     {"region": "us-east-1"}, {"region": "global"}),
    ("upstash:index/redisDatabase:RedisDatabase", "readRegions",
     {"readRegions": ["us-east-1"]}, {"readRegions": ["eu-west-1"]}),
    ("cloudflare:index/accountToken:AccountToken", "policies",
     {"policies[].resources": "not json"}, {}),
    ("aws:s3/bucket:Bucket", "bucket", {"bucket": "my..bucket"}, {"bucket": "my-bucket"}),
]  # fmt: skip


@pytest.mark.parametrize(("type_token", "path", "refused", "accepted"), COMBINATIONS)
def test_every_combination_refuses_and_accepts(
    type_token: str, path: str, refused: dict[str, Any], accepted: dict[str, Any]
) -> None:
    spec = CONSTRAINTS[type_token]
    assert any(isinstance(r, Combination) and r.path == path for r in spec.rules)
    name, inputs = sample(type_token)
    for edits, should_fail in ((refused, True), (accepted, False)):
        edited = copy.deepcopy(inputs)
        for key, value in edits.items():
            set_at(edited, key, value)
        found = [v for v in check(spec, sim(type_token, name, edited)) if v.path == path]
        assert bool(found) is should_fail, (edits, found)


def test_every_declared_type_has_constraints() -> None:
    declared = {r.type for p in every_plan() for r in p.resources if r.custom}
    declared -= {"random:index/randomPassword:RandomPassword"}
    assert declared <= set(CONSTRAINTS)
    assert set(CONSTRAINTS) <= declared | {"render:services:Deploy"}


def test_a_plan_with_a_value_render_refuses_fails() -> None:
    def huge(name, cls, props, opts):
        if name.endswith("-app-web"):
            details = dict(props["service_details"])
            details["num_instances"] = 500
            return {**props, "service_details": details}, opts
        return None

    with pytest.raises(ConstraintViolations) as exc:
        plan_with(staging_config(), transform=huge)
    lines = [v.line() for v in exc.value.violations]
    assert len(lines) == 1
    assert "render:services:WebService" in lines[0]
    assert "serviceDetails.numInstances = 500 is out of range; rule: 1..100" in lines[0]
