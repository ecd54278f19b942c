"""The names docs/migration.md ("Where the move runs") builds its per-target commands from are the
names the stacks declare: a renamed cluster, service account, subnet, environment or namespace
fails here instead of in an operator's terminal."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from core.plan import Plan
from stacks.offline.runner import build_plan

DOC = (Path(__file__).resolve().parents[2] / "docs" / "migration.md").read_text()

# (stack, the template as the doc writes it, resource type, input holding the name)
NAMES = [
    ("prod", "CLUSTER=trudeploy-$STACK-app", "aws:ecs/cluster:Cluster", "name"),
    ("prod", '"$CLUSTER-web"', "aws:ecs/taskDefinition:TaskDefinition", "family"),
    ("prod", "--services web", "aws:ecs/service:Service", "name"),
    ("prod-gcp", "SA=trudeploy-$STACK-run@", "gcp:serviceaccount/account:Account", "accountId"),
    ("prod-gcp", "--network trudeploy-$STACK-network ", "gcp:compute/network:Network", "name"),
    (
        "prod-gcp",
        "--subnet trudeploy-$STACK-network-run",
        "gcp:compute/subnetwork:Subnetwork",
        "name",
    ),
    (
        "prod-azure",
        "RG=trudeploy-$STACK-rg",
        "azure-native:resources:ResourceGroup",
        "resourceGroupName",
    ),
    (
        "prod-azure",
        "ENV=trudeploy-$STACK-app-env",
        "azure-native:app:ManagedEnvironment",
        "environmentName",
    ),
    (
        "prod-azure",
        "-n trudeploy-$STACK-app ",
        "azure-native:managedidentity:UserAssignedIdentity",
        "resourceName",
    ),
    ("prod-k8s", "NS=trudeploy-prod-k8s", "kubernetes:core/v1:Namespace", "metadata.name"),
]


@cache
def plan_of(stack: str) -> Plan:
    return build_plan(stack)


def _value(inputs: dict, path: str) -> object:
    for part in path.split("."):
        inputs = inputs[part]
    return inputs


def _expand(template: str, stack: str) -> str:
    name = template.split("=", 1)[-1] if "=" in template else template
    name = name.replace("$STACK", stack).replace("@", "").strip().strip('"')
    name = name.replace("$CLUSTER", f"trudeploy-{stack}-app")
    return name.split()[-1]


@pytest.mark.parametrize(("stack", "template", "kind", "field"), NAMES)
def test_the_doc_names_what_the_stack_declares(stack, template, kind, field) -> None:
    assert template in DOC, f"docs/migration.md no longer says {template!r}"
    declared = {_value(r.inputs, field) for r in plan_of(stack).of_type(kind)}
    assert _expand(template, stack) in declared, (template, declared)
