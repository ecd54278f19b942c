"""The AWS target's pure helpers: Fargate sizing, log retention, subnet layout, container JSON."""

from __future__ import annotations

import pytest

from components.aws.common import fargate_size, log_retention, physical_name
from components.aws.containers import ContainerContext, live_probe, process_task, web_task
from components.aws.network import subnet_cidrs
from components.contract import HealthSpec, ProcessSpec
from core.profiles import APP_SIZES

CTX = ContainerContext(
    image="repo@sha256:abc",
    environment={"ENV": "production", "PORT": "8000"},
    secret_arn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:env-AbCdEf",
    secret_keys=["SECRET_KEY", "DATABASE_URL"],
    secrets_version="v1",
    log_group="/ecs/app",
    region="eu-west-1",
)


def proc(name: str, long_lived: bool = True) -> ProcessSpec:
    return ProcessSpec(
        name=name,
        command=(name,),
        replicas=1,
        cpu=0.5,
        memory_mb=1024,
        long_lived=long_lived,
        serves_http=name == "web",
    )


@pytest.mark.parametrize("size", sorted(APP_SIZES))
def test_every_profile_size_is_a_fargate_size(size: str) -> None:
    cpu, memory = APP_SIZES[size]
    assert fargate_size(cpu, memory) == (int(cpu * 1024), memory)


def test_fargate_size_rounds_up_and_refuses_the_impossible() -> None:
    assert fargate_size(0.3, 600) == (512, 1024)
    assert fargate_size(0.25, 3000) == (512, 3072)
    with pytest.raises(ValueError, match="no Fargate size"):
        fargate_size(8, 1024)


def test_log_retention_rounds_up_to_an_accepted_period() -> None:
    assert [log_retention(d) for d in (1, 7, 10, 90, 100, 5000)] == [1, 7, 14, 90, 120, 3653]


def test_subnets_do_not_overlap_and_leave_room_to_grow() -> None:
    public, private = subnet_cidrs("10.0.0.0/16", 2)
    assert public == ["10.0.0.0/20", "10.0.16.0/20"]
    assert private == ["10.0.128.0/20", "10.0.144.0/20"]


def test_physical_name_respects_the_limit_without_a_trailing_hyphen() -> None:
    assert physical_name("trudeploy-production-redis", 21) == "trudeploy-production"


def test_web_task_gates_web_on_a_one_shot_release() -> None:
    release, web = web_task(CTX, proc("web"), proc("release", False), 8000, HealthSpec())
    assert (release["name"], release["essential"], release["command"]) == (
        "release",
        False,
        ["release"],
    )
    assert "portMappings" not in release and "healthCheck" not in release
    assert web["dependsOn"] == [{"containerName": "release", "condition": "SUCCESS"}]
    assert web["portMappings"][0]["containerPort"] == 8000
    assert web["secrets"] == [
        {"name": "DATABASE_URL", "valueFrom": f"{CTX.secret_arn}:DATABASE_URL::"},
        {"name": "SECRET_KEY", "valueFrom": f"{CTX.secret_arn}:SECRET_KEY::"},
    ]
    assert {e["name"] for e in web["environment"]} == {"ENV", "PORT"}
    assert web["logConfiguration"]["options"]["awslogs-stream-prefix"] == "web"


def test_worker_task_has_no_port_and_the_longest_stop_timeout() -> None:
    (worker,) = process_task(CTX, proc("worker"))
    assert "portMappings" not in worker and "dependsOn" not in worker
    assert worker["stopTimeout"] == 120 and worker["essential"] is True


def test_live_probe_stays_within_ecs_limits() -> None:
    probe = live_probe(HealthSpec(), 8000)
    assert probe["command"][:2] == ["CMD", "python"]
    assert "http://127.0.0.1:8000/api/v1/health/live/" in probe["command"][-1]
    assert 5 <= probe["interval"] <= 300 and 2 <= probe["timeout"] <= 60
    assert 1 <= probe["retries"] <= 10 and 0 <= probe["startPeriod"] <= 300
