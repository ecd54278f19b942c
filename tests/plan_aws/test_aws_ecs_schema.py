"""Every task definition in the AWS plans is a valid ECS RegisterTaskDefinition request, checked by
botocore's own validator against the ECS API model it ships (unknown keys, types, required
members), so a misspelt container key fails here rather than at `pulumi up`."""

from __future__ import annotations

import json
from typing import Any

import aws_checks as checks
import botocore.session
import pytest
from aws_plans import ENVS, plan_for
from botocore.validate import ParamValidator

from core.plan import PlanResource

INPUT = (
    botocore.session.get_session()
    .get_service_model("ecs")
    .operation_model("RegisterTaskDefinition")
    .input_shape
)


def request(task: PlanResource) -> dict[str, Any]:
    """The API request the provider sends for this task definition."""
    i = task.inputs
    return {
        "family": i["family"],
        "taskRoleArn": i["taskRoleArn"],
        "executionRoleArn": i["executionRoleArn"],
        "networkMode": i["networkMode"],
        "containerDefinitions": json.loads(i["containerDefinitions"]),
        "requiresCompatibilities": i["requiresCompatibilities"],
        "cpu": i["cpu"],
        "memory": i["memory"],
        "runtimePlatform": i["runtimePlatform"],
        "volumes": i.get("volumes", []),
        "tags": [{"key": k, "value": v} for k, v in i["tags"].items()],
    }


def problems(params: dict[str, Any]) -> str:
    return ParamValidator().validate(params, INPUT).generate_report()


@pytest.mark.parametrize("env", ENVS)
def test_task_definitions_are_valid_ecs_requests(env: str) -> None:
    tasks = checks.app_tasks(plan_for(env))
    assert len(tasks) == 3
    for task in tasks:
        assert problems(request(task)) == "", task.name


def test_the_validator_rejects_a_misspelt_or_mistyped_container_key() -> None:
    params = request(checks.app_tasks(plan_for("production"))[0])
    params["containerDefinitions"][0]["healthcheck"] = {}
    params["containerDefinitions"][0]["stopTimeout"] = "30"
    report = problems(params)
    assert 'Unknown parameter in containerDefinitions[0]: "healthcheck"' in report
    assert "containerDefinitions[0].stopTimeout" in report
