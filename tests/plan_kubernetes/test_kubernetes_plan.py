"""The Kubernetes stack planned offline under each env profile satisfies the shared invariants
(with the one exception components/kubernetes/plan_view.py documents, and only where it applies)
and the Kubernetes-specific checks; its env contract has the same keys as every other target's."""

from __future__ import annotations

import kubernetes_checks as checks
import pytest
from kubernetes_plans import ENVS, STACK, kinds, obj, plan_for

from components import registry
from components.app_env import ALL_KEYS, REQUIRED_KEYS
from components.kubernetes.plan_view import EXCEPTIONS
from core.plan import MASK
from stacks.offline import invariants
from stacks.offline.runner import build_plan

VIEW = registry.plan_view("kubernetes")


@pytest.mark.parametrize("env", ENVS)
def test_shared_invariants_hold(env: str) -> None:
    plan = plan_for(env)
    assert (plan.target, plan.env) == ("kubernetes", env)
    broken, excused = invariants.judged(plan, VIEW)
    assert broken == []
    # Development runs MinIO in the cluster: nothing to excuse. Elsewhere the bucket is on the
    # external store, which the stack does not declare: exactly the documented exception.
    if env == "development":
        assert excused == []
    else:
        assert [v.partition(": ")[0] for v in excused] == list(EXCEPTIONS)
    assert plan.unsimulated_types == []
    assert plan.unconstrained_types == []


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("check", sorted(checks.CHECKS))
def test_kubernetes_checks_hold(env: str, check: str) -> None:
    assert checks.CHECKS[check](plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_every_process_gets_the_contract_through_a_configmap_and_a_secret(env: str) -> None:
    plan = plan_for(env)
    processes = VIEW.processes(plan)
    assert sorted(p.process for p in processes) == ["beat", "release", "web", "worker"]
    keys = {p.env_keys for p in processes}
    assert keys == {frozenset(plan.outputs["envKeys"])}
    [key_set] = keys
    assert REQUIRED_KEYS <= key_set <= ALL_KEYS
    secret = obj(plan, "Secret", "app-secrets").inputs["stringData"]
    assert set(secret) == {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "AWS_ACCESS_KEY_ID",
                           "AWS_SECRET_ACCESS_KEY"}  # fmt: skip
    assert set(secret.values()) == {MASK}
    plain = obj(plan, "ConfigMap", "app-env").inputs["data"]
    assert not set(plain) & set(secret)
    assert plain["TRUSTED_PROXY_COUNT"] == "1"
    assert plain["GUNICORN_KEEPALIVE"] == "75"


def test_the_env_keys_match_the_docker_target_with_minio() -> None:
    """Both run MinIO with keys: the same contract keys, key for key."""
    assert plan_for("development").outputs["envKeys"] == build_plan("dev").outputs["envKeys"]


def test_development_runs_minio_elsewhere_the_external_store() -> None:
    dev, prod = plan_for("development"), plan_for("production")
    assert [obj(dev, "StatefulSet", "minio")]
    assert obj(dev, "ConfigMap", "app-env").inputs["data"]["AWS_S3_ENDPOINT_URL"] == (
        "http://minio.trudeploy-prod-k8s.svc.cluster.local:9000"
    )
    assert [meta for meta in kinds(prod, "StatefulSet")] == [obj(prod, "StatefulSet", "redis")]
    assert obj(prod, "ConfigMap", "app-env").inputs["data"]["AWS_S3_ENDPOINT_URL"] == (
        "https://s3.eu-west-1.amazonaws.com"
    )


def test_tls_through_cert_manager_only_with_a_domain() -> None:
    plan = plan_for("production")
    ingress = obj(plan, "Ingress", "web").inputs
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    assert ingress["spec"]["tls"] == [{"hosts": ["app.trudeploy.example.com"],
                                       "secretName": "web-tls"}]  # fmt: skip
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert plan.outputs["url"] == "https://app.trudeploy.example.com"


def test_one_namespace_per_stack_and_a_service_account_without_token() -> None:
    plan = plan_for("production")
    [ns] = kinds(plan, "Namespace")
    assert ns.inputs["metadata"]["name"] == f"trudeploy-{STACK}"
    assert ns.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    namespaces = {
        r.inputs["metadata"].get("namespace")
        for r in plan.resources
        if r.type.startswith("kubernetes:") and "metadata" in r.inputs and r is not ns
    }
    assert namespaces == {f"trudeploy-{STACK}"}
    account = obj(plan, "ServiceAccount", "app").inputs
    assert account["automountServiceAccountToken"] is False


def test_production_protects_the_database_and_development_does_not() -> None:
    assert obj(plan_for("production"), "Cluster", "postgres").protect
    assert not obj(plan_for("development"), "Cluster", "postgres").protect


def test_the_operator_is_installed_only_when_asked() -> None:
    from kubernetes_plans import k8s_config, plan_with

    assert kinds(plan_for("production"), "Release") == []
    kube = {**k8s_config()["trudeploy:kubernetes"], "cnpgOperator": "install"}
    plan = plan_with(k8s_config(kubernetes=kube))
    [release] = kinds(plan, "Release")
    assert release.inputs["chart"] == "cloudnative-pg"
    assert release.urn in plan.depends_on(obj(plan, "Cluster", "postgres").urn)
