"""How the docker target's long-lived processes run: as which user, and how they stop."""

from __future__ import annotations

import shlex

import pytest
from docker_plans import ENVS, container, containers, plan_for

from components.aws.containers import STOP_TIMEOUT as ECS_STOP_TIMEOUT


@pytest.mark.parametrize("env", ENVS)
def test_redis_runs_as_the_redis_user(env: str) -> None:
    redis = container(plan_for(env), "-redis-container")
    assert redis.inputs["image"].startswith("sha256:")  # the official image, pulled below
    assert "user" not in redis.inputs  # the image's entrypoint chooses the user
    shell, flag, script = redis.inputs["command"]
    assert (shell, flag) == ("sh", "-c")
    # The official image's docker-entrypoint.sh drops to `redis` (su-exec) only when its first
    # argument is redis-server; the shell must hand over to it, not run redis-server as root.
    argv = shlex.split(script)
    assert argv[:3] == ["exec", "docker-entrypoint.sh", "redis-server"]
    assert argv[argv.index("--requirepass") + 1] == "$REDIS_PASSWORD"  # from the env, not the plan
    (pull,) = [r for r in plan_for(env).resources if r.name == "trudeploy-t-redis-image"]
    assert pull.inputs["name"].startswith("redis:") and pull.inputs["name"].endswith("-alpine")


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("process", ["web", "worker", "beat"])
def test_long_lived_processes_stop_with_the_ecs_grace_period(env: str, process: str) -> None:
    found = containers(plan_for(env), process)
    assert found
    for res in found:
        assert res.inputs["stopSignal"] == "SIGTERM"
        # `docker stop` / daemon restart, and a replacement or destroy by `pulumi up`
        assert res.inputs["stopTimeout"] == ECS_STOP_TIMEOUT[process]
        assert res.inputs["destroyGraceSeconds"] == ECS_STOP_TIMEOUT[process]


def test_a_worker_gets_two_minutes_to_finish_its_task() -> None:
    (worker,) = containers(plan_for("development"), "worker")
    assert worker.inputs["stopTimeout"] == worker.inputs["destroyGraceSeconds"] == 120


@pytest.mark.parametrize("env", ENVS)
def test_the_app_image_is_built_for_the_hosts_platform(env: str) -> None:
    (build,) = plan_for(env).of_type("docker:index/image:Image")
    assert build.inputs["skipPush"] is True
    assert build.inputs["build"]["dockerfile"].endswith("app/Dockerfile")
    # no platform: `docker build` targets the daemon's own, where these containers run
    assert "platform" not in build.inputs["build"]
