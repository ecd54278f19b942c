"""Negative controls: each Kubernetes check fails on a deliberately broken copy of a passing plan,
and the documented invariant exception excuses nothing but the external store's missing bucket."""

from __future__ import annotations

import copy
from collections.abc import Callable

import kubernetes_checks as checks
import pytest
from kubernetes_plans import obj, plan_for

from components import registry
from components.kubernetes.plan_view import containers
from core.plan import Plan
from stacks.offline import invariants

VIEW = registry.plan_view("kubernetes")


def broken(mutate: Callable[[Plan], None], env: str = "production") -> Plan:
    plan = copy.deepcopy(plan_for(env))
    mutate(plan)
    return plan


def web_container(plan: Plan) -> dict:
    return containers(obj(plan, "Deployment", "web"))[0]


def spec(plan: Plan, kind: str, name: str) -> dict:
    return obj(plan, kind, name).inputs["spec"]


def pod(plan: Plan, kind: str, name: str) -> dict:
    """The pod spec itself (plan_view.pod_spec returns a copy)."""
    return spec(plan, kind, name)["template"]["spec"]


def _security(field: str, value: object) -> Callable[[Plan], None]:
    def mutate(plan: Plan) -> None:
        web_container(plan)["securityContext"][field] = value

    return mutate


def _drop_limits(plan: Plan) -> None:
    del containers(obj(plan, "Deployment", "worker"))[0]["resources"]["limits"]


def _no_tmp(plan: Plan) -> None:
    containers(obj(plan, "Deployment", "beat"))[0]["volumeMounts"] = []


def _root_pod(plan: Plan) -> None:
    pod(plan, "StatefulSet", "redis")["securityContext"]["runAsNonRoot"] = False


def _token(plan: Plan) -> None:
    pod(plan, "Job", plan_release(plan))["automountServiceAccountToken"] = True


def plan_release(plan: Plan) -> str:
    [job] = [r for r in plan.resources if r.name.endswith("-app-release")]
    return job.inputs["metadata"]["name"]


BROKEN: dict[str, list[Callable[[Plan], None]]] = {
    "pod security": [
        _security("readOnlyRootFilesystem", False),
        _security("allowPrivilegeEscalation", True),
        _security("capabilities", {"drop": ["NET_RAW"]}),
        _drop_limits,
        _no_tmp,
        _root_pod,
        _token,
    ],
    "images pinned": [
        lambda p: web_container(p).update(image="ghcr.io/example/trudeploy-app:latest"),
        lambda p: web_container(p).update(image="ghcr.io/example/trudeploy-app"),
    ],
    "web probes": [
        lambda p: web_container(p)["livenessProbe"]["httpGet"].update(path="/api/v1/health/ready/"),
        lambda p: web_container(p).pop("readinessProbe"),
        lambda p: web_container(p).pop("startupProbe"),
    ],
    "web rollout": [
        lambda p: spec(p, "Deployment", "web")["strategy"]["rollingUpdate"].update(
            maxUnavailable=1
        ),
    ],
    "production web": [
        lambda p: p.resources.remove(obj(p, "HorizontalPodAutoscaler", "web")),
        lambda p: p.resources.remove(obj(p, "PodDisruptionBudget", "web")),
        lambda p: spec(p, "HorizontalPodAutoscaler", "web").update(minReplicas=1),
        lambda p: spec(p, "Deployment", "web").update(replicas=2),
    ],
    "beat once": [
        lambda p: spec(p, "Deployment", "beat").update(replicas=2),
        lambda p: spec(p, "Deployment", "beat").update(strategy={"type": "RollingUpdate"}),
    ],
    "worker grace": [
        lambda p: pod(p, "Deployment", "worker").update(terminationGracePeriodSeconds=120),
    ],
    "release job": [
        lambda p: spec(p, "Job", plan_release(p)).pop("activeDeadlineSeconds"),
        lambda p: spec(p, "Job", plan_release(p)).update(backoffLimit=100),
        lambda p: obj(p, "Deployment", "web").dependencies.clear(),
    ],
    "network policies": [
        lambda p: spec(p, "NetworkPolicy", "default-deny").update(ingress=[{}]),
        lambda p: spec(p, "NetworkPolicy", "web-ingress")["ingress"][0]["from"].append(
            {"podSelector": {}}
        ),
        lambda p: spec(p, "NetworkPolicy", "redis-ingress")["ingress"][0]["from"].append(
            {"namespaceSelector": {}}
        ),
        lambda p: p.resources.remove(obj(p, "NetworkPolicy", "postgres-ingress")),
    ],
    "postgres cluster": [
        lambda p: spec(p, "Cluster", "postgres").update(instances=1),
        lambda p: spec(p, "Cluster", "postgres").pop("backup"),
    ],
}


def test_every_check_has_negative_controls() -> None:
    assert set(BROKEN) == set(checks.CHECKS)


@pytest.mark.parametrize(
    ("check", "index"), [(c, i) for c, ms in BROKEN.items() for i in range(len(ms))]
)
def test_each_check_catches_its_broken_plan(check: str, index: int) -> None:
    plan = broken(BROKEN[check][index])
    assert checks.CHECKS[check](plan), f"{check} #{index} passed a broken plan"


def test_development_must_not_autoscale() -> None:
    def add_hpa(plan: Plan) -> None:
        plan.resources.append(copy.deepcopy(obj(plan_for("production"), "HorizontalPodAutoscaler",
                                                "web")))  # fmt: skip

    assert checks.production_web(broken(add_hpa, "development"))


def test_the_documented_exception_excuses_only_an_external_store() -> None:
    """Without MinIO in development the missing bucket is a real failure, not an exception."""

    def drop_minio(plan: Plan) -> None:
        plan.resources.remove(obj(plan, "StatefulSet", "minio"))

    plan = broken(drop_minio, "development")
    broken_found, excused = invariants.judged(plan, VIEW)
    assert broken_found == ["stateful resources persist: no storage in the plan"]
    assert excused == []


def test_the_shared_invariants_see_kubernetes_breakage() -> None:
    """The plan view feeds the shared checks: a second beat, a web without its liveness probe,
    a StatefulSet without a volume each break an invariant."""

    def two_beats(plan: Plan) -> None:
        beat = copy.deepcopy(obj(plan, "Deployment", "beat"))
        beat.urn += "-copy"
        plan.resources.append(beat)

    def no_liveness(plan: Plan) -> None:
        web_container(plan).pop("livenessProbe")
        web_container(plan).pop("startupProbe")

    def no_volume(plan: Plan) -> None:
        spec(plan, "StatefulSet", "redis")["volumeClaimTemplates"] = []

    def env_key_dropped(plan: Plan) -> None:
        obj(plan, "ConfigMap", "app-env").inputs["data"].pop("STORAGE_BACKEND")

    for mutate, rule in (
        (two_beats, "W3 exactly one beat"),
        (no_liveness, "W4 health paths"),
        (no_volume, "stateful resources persist"),
        (env_key_dropped, "W1 env contract"),
    ):
        found, _ = invariants.judged(broken(mutate), VIEW)
        assert any(v.startswith(rule) for v in found), (rule, found)
