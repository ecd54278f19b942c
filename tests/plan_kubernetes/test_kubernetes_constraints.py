"""The kubernetes target's provider constraints: every rule refuses a crafted bad input and accepts
a good one (cases built on the real plans' inputs), the real plans break none, and a stack whose
plan breaks one fails naming resource, input and rule."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from kubernetes_plans import ENVS, k8s_config, plan_for, plan_with

from components.constraints import ConstraintViolations
from components.kubernetes.constraints import CONSTRAINTS
from core.plan import Plan
from stacks.config import ConfigError
from stacks.offline.runner import build_plan
from tests.plan.constraint_cases import Case, one, run, uncovered

NS = "kubernetes:core/v1:Namespace"
SA = "kubernetes:core/v1:ServiceAccount"
CM, SECRET = "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret"
SVC = "kubernetes:core/v1:Service"
DEPLOY, STS = "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"
JOB = "kubernetes:batch/v1:Job"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster"
BACKUP = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup"
RELEASE = "kubernetes:helm.sh/v3:Release"
POD = "spec.template.spec"
REPO = Path(__file__).resolve().parents[2]
LABEL_RULE = "label keys and values"
NAMESPACED = [t for t in CONSTRAINTS if t not in (NS, RELEASE)]
WITH_PODS = (DEPLOY, STS, JOB)


@cache
def install_plan() -> Plan:
    """Production with the operator installed by the stack (declares the Helm release)."""
    kube = {**k8s_config()["trudeploy:kubernetes"], "cnpgOperator": "install"}
    return plan_with(k8s_config(kubernetes=kube))


CASES: list[Case] = [
    one(NS, "metadata.name", "DNS-1123 label", "Trudeploy_Prod", "trudeploy-prod"),
    *(one(t, "metadata.name", "DNS-1123 subdomain", "Web_1", "web-1") for t in NAMESPACED
      if t != SVC),
    one(SVC, "metadata.name", "RFC 1035", "1web", "web1"),
    *(one(t, "metadata.namespace", "DNS-1123 label", "a.b", "a-b") for t in NAMESPACED),
    *(Case(t, "metadata", LABEL_RULE, {"metadata.labels": {"app": "-bad-"}},
           {"metadata.labels": {"app": "good"}}, id="label-value") for t in CONSTRAINTS
      if t != RELEASE),
    Case(NS, "metadata", LABEL_RULE, {"metadata.labels": {"Bad_/x": "y"}},
         {"metadata.labels": {"example.com/x": "y"}}, id="label-key"),
    Case(DEPLOY, "metadata", LABEL_RULE, {"spec.template.metadata.labels": {"a": "x" * 64}},
         {"spec.template.metadata.labels": {"a": "x" * 63}}, id="pod-label"),
    *(one(t, f"{POD}.containers[].name", "DNS-1123 label", "Web_1", "web-1") for t in WITH_PODS),
    *(one(t, f"{POD}.containers[].ports[].containerPort", "1..65535", 70000, 8000)
      for t in WITH_PODS),
    *(one(t, f"{POD}.restartPolicy", "Always", "Never", "Always") for t in (DEPLOY, STS)),
    one(JOB, f"{POD}.restartPolicy", "Never", "Always", "Never"),
    *(one(t, f"{POD}.terminationGracePeriodSeconds", "0..", -1, 30) for t in WITH_PODS),
    one(CM, "data", "data keys", {"BAD KEY": "x"}, {"GOOD_KEY": "x"}),
    one(SECRET, "stringData", "data keys", {"a/b": "x"}, {"a.b": "x"}),
    one(SVC, "spec.ports[].port", "1..65535", 0, 80),
    one(SVC, "spec.type", "ClusterIP", "Internal", "ClusterIP"),
    one(DEPLOY, "spec.replicas", "0..", -1, 2),
    one(STS, "spec.replicas", "0..", -1, 1),
    one(DEPLOY, "spec.strategy.type", "Recreate", "BlueGreen", "Recreate", base="-web"),
    Case(DEPLOY, "spec", "rolling update", {"spec.strategy.rollingUpdate": {
        "maxUnavailable": 0, "maxSurge": 0}}, {"spec.strategy.rollingUpdate": {
        "maxUnavailable": 0, "maxSurge": 1}}, base="-web", id="zero-zero"),
    Case(DEPLOY, "spec", "rolling update", {"spec.strategy.rollingUpdate": {"maxSurge": 1}},
         {"spec.strategy.type": "Recreate"}, base="-beat", id="recreate-rolling"),
    one(STS, "spec.volumeClaimTemplates[].metadata.name", "DNS-1123 label", "Data", "data"),
    one(JOB, "spec.backoffLimit", "0..", -1, 2),
    one(JOB, "spec.activeDeadlineSeconds", "1..", 0, 600),
    one(INGRESS, "spec.rules[].host", "subdomain", "*.Example.com", "app.example.com"),
    one(INGRESS, "spec.rules[].http.paths[].pathType", "Prefix", "Regex", "Prefix"),
    one(POLICY, "spec.policyTypes[]", "Ingress", "ingress", "Ingress"),
    one(POLICY, "spec.ingress[].ports[].protocol", "TCP", "HTTP", "TCP", base="web-ingress"),
    one(POLICY, "spec.ingress[].ports[].port", "1..65535", 0, 8000, base="web-ingress"),
    one(HPA, "spec.minReplicas", "1..", 0, 2),
    Case(HPA, "spec", "maxReplicas >= minReplicas", {"spec.maxReplicas": 1},
         {"spec.maxReplicas": 6}, id="max-below-min"),
    Case(PDB, "spec", "one of minAvailable", {"spec.minAvailable": 1},
         {"spec.maxUnavailable": 1}, id="both-bounds"),
    one(CLUSTER, "spec.instances", "1..", 0, 3),
    one(CLUSTER, "spec.storage.size", "quantity", "100 GB", "100Gi"),
    one(BACKUP, "spec.schedule", "six cron fields", "0 3 * * *", "0 0 3 * * *"),
    one(RELEASE, "name", "1-53", "c" * 54, "cnpg"),
    one(RELEASE, "name", "DNS-1123 label", "CNPG", "cnpg"),
    one(RELEASE, "namespace", "DNS-1123 label", "cnpg_system", "cnpg-system"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=Case.label)
def test_each_rule_refuses_the_bad_input_and_accepts_the_good_one(case: Case) -> None:
    bad, good = run(case, CONSTRAINTS, install_plan())
    assert bad, f"{case.token} {case.path}: {case.bad} broke no rule matching {case.rule!r}"
    assert not good, [v.line() for v in good]


def test_every_kubernetes_rule_has_a_case() -> None:
    assert uncovered(CONSTRAINTS, CASES) == []


@pytest.mark.parametrize("env", ENVS)
def test_the_real_plans_break_no_constraint_and_leave_no_type_uncovered(env: str) -> None:
    """plan_for raises ConstraintViolations if any input breaks a rule."""
    assert plan_for(env).unconstrained_types == []
    assert install_plan().unconstrained_types == []


def test_a_plan_breaking_a_rule_fails_naming_resource_input_and_rule(tmp_path: Path) -> None:
    """A transform (the components' escape hatch) renames web's Deployment to `Web`: the plan
    fails naming the resource, the input, the rule and its source."""

    def rename(name: str, cls: type, props: dict, opts: Any) -> tuple[dict, Any] | None:
        if name.endswith("-app-web"):
            props["metadata"] = {**props["metadata"], "name": "Web"}
            return props, opts
        return None

    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(REPO / "Pulumi.prod-k8s.yaml", tmp_path / "Pulumi.prod-k8s.yaml")
    with pytest.raises(ConstraintViolations) as caught:
        build_plan("prod-k8s", tmp_path, transform=rename)
    [line] = [v.line() for v in caught.value.violations]
    assert line.startswith(f"{DEPLOY} 'trudeploy-prod-k8s-app-web': metadata.name = 'Web'")
    assert "DNS-1123 subdomain" in line and "#dns-subdomain-names" in line


def test_a_stack_name_too_long_for_a_namespace_fails_before_any_resource() -> None:
    with pytest.raises(ConfigError) as caught:
        plan_with(k8s_config(), stack="s" * 55)
    assert any("namespace name" in e and "63 allowed" in e for e in caught.value.errors)
