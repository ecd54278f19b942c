"""The docker target's offline plan under each env profile satisfies the invariants."""

from __future__ import annotations

import copy
import json

import pytest
from docker_plans import CONTAINER as VIEW_CONTAINER
from docker_plans import ENVS, VIEW, plan_for
from plan_stackfiles import docker_config, project_with_stack

from components.app_env import REQUIRED_KEYS
from components.contract import LIVE_PATH, READY_PATH
from core.plan import Plan
from stacks.offline import invariants
from stacks.offline.runner import build_plan


def containers(plan: Plan, process: str) -> list:
    return [p for p in VIEW.processes(plan) if p.process == process]


@pytest.mark.parametrize("env", ENVS)
def test_all_invariants_hold(env: str) -> None:
    plan = plan_for(env)
    assert invariants.violations(plan, VIEW) == []
    assert plan.unsimulated_types == []


@pytest.mark.parametrize("env", ENVS)
def test_env_contract_is_complete_and_the_same_for_every_process(env: str) -> None:
    plan = plan_for(env)
    key_sets = {p.env_keys for p in VIEW.processes(plan)}
    assert len(key_sets) == 1
    (keys,) = key_sets
    assert keys >= REQUIRED_KEYS
    assert set(plan.outputs["envKeys"]) == keys
    (web, *_) = containers(plan, "web")
    # plain values stay readable, secret ones are masked item by item (test_plan_docker_env.py)
    assert f"ENV={env}" in plan.by_urn()[web.urn].inputs["envs"]
    assert "SECRET_KEY=[secret]" in plan.by_urn()[web.urn].inputs["envs"]


@pytest.mark.parametrize("env", ENVS)
def test_no_secret_value_in_plaintext(env: str) -> None:
    plan = plan_for(env)
    text = plan.to_json()
    # SECRET_KEY, three service passwords, MinIO root and the app's two keys, each generated
    assert len([s for s in plan.secret_values if len(s) >= 20]) >= 7
    assert not [s for s in plan.secret_values if s in text]
    assert plan.outputs["databaseUrl"] == plan.outputs["redisUrl"] == "[secret]"


@pytest.mark.parametrize("env", ENVS)
def test_exactly_one_beat_and_release_before_web(env: str) -> None:
    plan = plan_for(env)
    assert len(containers(plan, "beat")) == 1
    (release,) = containers(plan, "release")
    for process in ("web", "worker", "beat"):
        for inst in containers(plan, process):
            assert release.urn in plan.by_urn()[inst.urn].dependencies
    release_res = plan.by_urn()[release.urn]
    assert release_res.inputs["attach"] is True and release_res.inputs["mustRun"] is False
    assert release_res.inputs["command"] == ["release"]


@pytest.mark.parametrize("env", ENVS)
def test_stateful_containers_have_named_volumes_and_health_checks(env: str) -> None:
    plan = plan_for(env)
    stateful = VIEW.stateful(plan)
    assert sorted(s.capability for s in stateful) == ["postgres", "redis", "storage"]
    volumes = {v.inputs["name"] for v in plan.of_type("docker:index/volume:Volume")}
    for s in stateful:
        res = plan.by_urn()[s.urn]
        (mount,) = res.inputs["volumes"]
        assert mount["volumeName"] in volumes
        assert res.inputs["healthcheck"]["tests"][0] == "CMD-SHELL"
        assert res.inputs["wait"] is True
        assert "ports" not in res.inputs  # nothing stateful is published (D1)
        assert [n["name"] for n in res.inputs["networksAdvanced"]] == ["trudeploy-t-backend"]


def test_backend_network_is_internal() -> None:
    nets = {
        n.name: n.inputs for n in plan_for("development").of_type("docker:index/network:Network")
    }
    assert nets["trudeploy-t-network-backend"]["internal"] is True
    assert "internal" not in nets["trudeploy-t-network-edge"]


@pytest.mark.parametrize("env", ENVS)
def test_web_health_checks_live_and_ready(env: str) -> None:
    (web, *more) = containers(plan_for(env), "web")
    for inst in (web, *more):
        assert LIVE_PATH in inst.health_checks[0] and READY_PATH in inst.health_checks[0]
    # the image's own HTTP HEALTHCHECK would mark processes without HTTP unhealthy: disabled
    for process in ("worker", "beat", "release"):
        for inst in containers(plan_for(env), process):
            assert inst.health_checks == ("NONE",)


def test_profile_decides_replicas_sizes_and_protection() -> None:
    dev, prod = plan_for("development"), plan_for("production")
    assert len(containers(dev, "web")) == 1 and len(containers(prod, "web")) == 2
    assert len(containers(prod, "worker")) == 2
    ports = sorted(
        plan_for("production").by_urn()[w.urn].inputs["ports"][0]["external"]
        for w in containers(prod, "web")
    )
    assert ports == [8000, 8001]
    web_dev = dev.by_urn()[containers(dev, "web")[0].urn].inputs
    web_prod = prod.by_urn()[containers(prod, "web")[0].urn].inputs
    assert (web_dev["cpus"], web_dev["memory"]) == ("0.25", 512)
    assert (web_prod["cpus"], web_prod["memory"]) == ("1", 2048)


@pytest.mark.parametrize("env", ENVS)
def test_only_the_production_postgres_volume_is_protected(env: str) -> None:
    protect = {v.name: v.protect for v in plan_for(env).of_type("docker:index/volume:Volume")}
    assert protect.pop("trudeploy-t-postgres-data") is (env == "production")
    assert protect and not any(protect.values())  # redis and MinIO volumes: caches and re-creatable


def test_bucket_is_private_and_versioned_per_profile() -> None:
    def init_script(plan: Plan) -> str:
        (init,) = [c for c in plan.of_type(VIEW_CONTAINER) if c.name.endswith("bucket-init")]
        return init.inputs["command"][0]

    assert "mc anonymous set none local/trudeploy-t-media" in init_script(plan_for("development"))
    assert "mc version suspend" in init_script(plan_for("development"))
    assert "mc version enable" in init_script(plan_for("production"))


def test_transform_hook_reaches_child_resources() -> None:
    def always_restart_workers(name, cls, props, opts):
        if name.endswith("-worker"):
            return {**props, "restart": "always"}, opts
        return None

    root = project_with_stack("t", docker_config("development"))
    plan = build_plan("t", root, transform=always_restart_workers)
    (worker,) = containers(plan, "worker")
    assert plan.by_urn()[worker.urn].inputs["restart"] == "always"
    (web,) = containers(plan, "web")
    assert plan.by_urn()[web.urn].inputs["restart"] == "unless-stopped"


def test_external_postgres_comes_from_the_secret_and_never_leaks() -> None:
    config = docker_config("staging", postgres={"provider": "external"})
    config["trudeploy:postgresUrl"] = {"secure": "v1:ciphertext-the-engine-would-decrypt"}
    plan = build_plan("ext", project_with_stack("ext", config))
    assert not [r for r in plan.resources if r.name.startswith("trudeploy-ext-postgres")]
    placeholders = [s for s in plan.secret_values if s.startswith("offline-secret-")]
    assert len(placeholders) == 1
    assert placeholders[0] not in plan.to_json()
    assert invariants.env_contract(plan, VIEW) == []
    assert invariants.no_plaintext_secrets(plan, VIEW) == []


# ---- each check can fail: feed it a deliberately broken plan ------------------------------


def broken(mutate) -> Plan:
    plan = copy.deepcopy(plan_for("development"))
    mutate(plan)
    return plan


def _container(plan: Plan, suffix: str):
    return next(r for r in plan.of_type(VIEW_CONTAINER) if r.name.endswith(suffix))


def _set_label(res, label: str, value: str) -> None:
    for item in res.inputs["labels"]:
        if item["label"] == label:
            item["value"] = value


def test_checks_catch_a_leaked_secret() -> None:
    def leak(plan: Plan) -> None:
        password = max(plan.secret_values, key=len)
        _container(plan, "-web").inputs["command"] = ["web", password]

    assert invariants.no_plaintext_secrets(broken(leak)) != []


def test_checks_catch_a_second_beat_and_a_missing_beat() -> None:
    assert invariants.exactly_one_beat(
        broken(lambda p: _set_label(_container(p, "-worker"), "trudeploy.process", "beat")), VIEW
    )
    assert invariants.exactly_one_beat(
        broken(lambda p: _set_label(_container(p, "-app-beat"), "trudeploy.process", "worker")),
        VIEW,
    )


def test_checks_catch_web_not_ordered_after_release() -> None:
    def unorder(plan: Plan) -> None:
        web = _container(plan, "-web")
        release = _container(plan, "-release")
        web.dependencies = [d for d in web.dependencies if d != release.urn]

    assert invariants.release_before_web(broken(unorder), VIEW)


def test_checks_catch_missing_volume_env_key_health_and_restart() -> None:
    def no_volume(plan: Plan) -> None:
        _container(plan, "-postgres-container").inputs["volumes"] = []

    def no_secret_key(plan: Plan) -> None:
        web = _container(plan, "-web")
        web.inputs["envs"] = [e for e in web.inputs["envs"] if not e.startswith("SECRET_KEY=")]

    def wrong_health(plan: Plan) -> None:
        check = _container(plan, "-web").inputs["healthcheck"]
        check["tests"] = [t.replace(READY_PATH, "/") for t in check["tests"]]

    def no_restart(plan: Plan) -> None:
        _container(plan, "-worker").inputs.pop("restart")

    assert invariants.stateful_persistent(broken(no_volume), VIEW)
    assert invariants.env_contract(broken(no_secret_key), VIEW)
    assert invariants.health_paths(broken(wrong_health), VIEW)
    assert invariants.supervised(broken(no_restart), VIEW)


def test_plan_json_round_trips() -> None:
    data = json.loads(plan_for("development").to_json())
    assert data["target"] == "docker" and "secret_values" not in data


def test_release_orders_and_gates_the_other_processes() -> None:
    plan = plan_for("development")
    (release,) = containers(plan, "release")
    for process in ("web", "worker", "beat"):
        for inst in containers(plan, process):
            res = plan.by_urn()[inst.urn]
            assert plan.sibling_dependencies(inst.urn) == [release.urn]
            # depends_on, and the exit-code gate carried in a label
            assert release.urn in res.property_dependencies["labels"]
            gate = [x for x in res.inputs["labels"] if x["label"] == "trudeploy.release-exit-code"]
            assert gate == [{"label": "trudeploy.release-exit-code", "value": "0"}]
    assert plan.sibling_dependencies(release.urn) == []
