"""W6 on the docker target: the release and the MinIO init are attached one-shot containers whose
exit code gates the deployment. The simulated provider reports exit 0; these tests make it report
a failure (as the real provider records `exit_code` of a failed `mc` or migration) and expect the
plan to fail the way `pulumi up` would: the program raises, naming the container."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from docker_plans import CONTAINER, container, containers, plan_for
from plan_stackfiles import docker_config, project_with_stack

from components.docker import simulated
from components.docker.common import OneShotFailed
from components.simulated import SimArgs
from stacks.offline.runner import build_plan

APP_PROCESSES = ("web", "worker", "beat")


class _AbandonedGateErrors(logging.Filter):
    """Every Output derived from a failed gate holds the same OneShotFailed; asyncio logs each
    one nobody awaited whenever it is collected, often at interpreter exit. The error itself is
    what these tests check with pytest.raises, so those copies are dropped from the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "OneShotFailed(" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_AbandonedGateErrors())


def exiting(container_name: str, code: int | None) -> Callable[[SimArgs], dict[str, Any]]:
    """The provider's container rule, except that `container_name` exits with `code` (None: the
    provider reports no exit code)."""
    real = simulated.RULES[CONTAINER]

    def rule(a: SimArgs) -> dict[str, Any]:
        computed = real(a)
        if a.inputs.get("name") == container_name:
            computed.pop("exitCode")
            if code is not None:
                computed["exitCode"] = code
        return computed

    return rule


def plan_with(monkeypatch: pytest.MonkeyPatch, container_name: str, code: int | None) -> None:
    monkeypatch.setitem(simulated.RULES, CONTAINER, exiting(container_name, code))
    build_plan("t", project_with_stack("t", docker_config("development")))


@pytest.mark.parametrize("code", [1, 137])
def test_a_failed_storage_init_fails_the_deployment(
    monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    with pytest.raises(
        OneShotFailed, match=f"container trudeploy-t-storage-init exited with code {code}"
    ):
        plan_with(monkeypatch, "trudeploy-t-storage-init", code)


@pytest.mark.parametrize("code", [1, 137])
def test_a_failed_release_fails_the_deployment(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    with pytest.raises(
        OneShotFailed, match=f"container trudeploy-t-app-release exited with code {code}"
    ):
        plan_with(monkeypatch, "trudeploy-t-app-release", code)


@pytest.mark.parametrize("name", ["trudeploy-t-storage-init", "trudeploy-t-app-release"])
def test_a_one_shot_without_an_exit_code_fails_the_deployment(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    with pytest.raises(OneShotFailed, match=f"container {name} reported no exit code"):
        plan_with(monkeypatch, name, None)


def test_every_app_container_waits_for_the_storage_init() -> None:
    plan = plan_for("development")
    init = container(plan, "-bucket-init")
    assert init.inputs["attach"] is True and init.inputs["mustRun"] is False
    for process in ("release", *APP_PROCESSES):
        for res in containers(plan, process):
            # the env's bucket and access key come from the init's checked exit code
            assert init.urn in res.property_dependencies["envs"]


def test_no_storage_init_step_swallows_its_failure() -> None:
    (script,) = container(plan_for("development"), "-bucket-init").inputs["command"]
    assert script.startswith("set -e; ")
    steps = script.removeprefix("set -e; ").split("; ")
    assert [s for s in steps if "||" in s] == []
    assert any(s.startswith("mc admin policy attach local app-bucket") for s in steps)
