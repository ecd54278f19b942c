"""The Azure plan under every env profile: the shared invariants (with the one documented
exception), the Azure-specific rules (each fed a broken plan too, so it is seen to fail), the env
contract against the other targets, and what each profile changes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from azure_checks import (
    ACCOUNT,
    BLOBS,
    CHECKS,
    CONTAINER,
    LOCK,
    PASSWORD,
    PG,
    PG_CONFIG,
    REDIS,
    REDIS_DB,
    ROLE,
    VAULT,
    protected,
)
from azure_plans import DOMAIN, ENVS, azure_config, no_domain_plan, one, plan_for, plan_with

from components.app_env import REQUIRED_KEYS
from components.azure.plan_view import APP, EXCEPTIONS, VIEW, template
from core.plan import Plan
from stacks.offline import invariants


def _apps(plan: Plan) -> dict[str, dict]:
    """Each app's inputs by the process its main container runs."""
    return {" ".join(template(a)["containers"][0]["args"]): a for a in plan.of_type(APP)}


@pytest.mark.parametrize("env", ENVS)
def test_shared_invariants_hold_but_for_the_documented_release_reading(env: str) -> None:
    plan = plan_for(env)
    found = invariants.violations(plan, VIEW)
    web = _apps(plan)["web"]
    assert found == [f"W3 release before web: {web.urn} is not ordered after the release step"]
    assert VIEW.unexplained(plan, found) == []
    assert set(EXCEPTIONS) == {"W3 release before web"}
    assert plan.unsimulated_types == [] and plan.unconstrained_types == []


def test_the_release_exception_covers_only_web_with_the_release_init_container() -> None:
    plan = copy.deepcopy(plan_for("production"))
    found = invariants.violations(plan, VIEW)
    _apps(plan)["web"].inputs["template"]["initContainers"] = []
    assert VIEW.unexplained(plan, found) == found
    assert invariants.violations(plan, VIEW) == [
        "W3 release before web: no release step in the plan"
    ]


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_azure_rules_hold(env: str, name: str) -> None:
    assert CHECKS[name](plan_for(env)) == []


def test_production_is_protected_and_the_development_profile_is_not() -> None:
    assert protected(plan_for("production")) == []
    dev = plan_for("development")
    assert len(protected(dev)) >= 5
    assert not one(dev, PG).protect and not one(dev, ACCOUNT).protect
    assert dev.of_type(LOCK) == [] and not one(dev, VAULT).protect


def _broken(plan: Plan, type_token: str, edit: Callable[[dict], None]) -> Plan:
    """A copy of `plan` with `edit` applied to every resource of `type_token`."""
    broken = copy.deepcopy(plan)
    for resource in broken.of_type(type_token):
        edit(resource.inputs)
    return broken


def _web(i: dict) -> list[dict]:
    return i["template"]["containers"][0]["env"]


NEGATIVE = [
    ("private", PG, lambda i: i["network"].update(publicNetworkAccess="Enabled")),
    ("private", REDIS, lambda i: i.update(publicNetworkAccess="Enabled")),
    ("private", ACCOUNT, lambda i: i.update(allowBlobPublicAccess=True)),
    ("private", ACCOUNT, lambda i: i.update(publicNetworkAccess="Enabled")),
    ("private", CONTAINER, lambda i: i.update(publicAccess="Blob")),
    ("private", VAULT, lambda i: i["properties"]["networkAcls"].update(defaultAction="Allow")),
    ("private", "azure-native:network:PrivateEndpoint", lambda i: i.update(
        privateLinkServiceConnections=[])),
    ("tls", PG_CONFIG, lambda i: i.update(value="off")),
    ("tls", REDIS_DB, lambda i: i.update(clientProtocol="Plaintext")),
    ("tls", REDIS, lambda i: i.update(minimumTlsVersion="1.0")),
    ("tls", ACCOUNT, lambda i: i.update(enableHttpsTrafficOnly=False)),
    ("least privilege", ROLE, lambda i: i.update(roleDefinitionId=i["roleDefinitionId"].replace(
        "7f951dda-4ed3-4680-a7ca-43fe172d538d", "b24988ac-6180-42a0-ab88-20f7382dd24c"))),
    ("least privilege", ROLE, lambda i: i.update(scope="/subscriptions/x")),
    ("least privilege", ACCOUNT, lambda i: i.update(allowSharedKeyAccess=True)),
    ("least privilege", APP, lambda i: i["configuration"]["registries"][0].update(
        identity=None, passwordSecretRef="acr-password")),
    ("secrets by reference", APP, lambda i: _web(i).append(
        {"name": "SECRET_KEY", "value": "inline"})),
    ("secrets by reference", APP, lambda i: [s.pop("keyVaultUrl") for s in
        i["configuration"]["secrets"]]),
    ("one beat replica", APP, lambda i: i["template"]["scale"].update(maxReplicas=2)),
    ("unsharded broker", REDIS_DB, lambda i: i.update(clusteringPolicy="EnterpriseCluster")),
    ("admin password", PASSWORD, lambda i: i.pop("minNumeric", None)),
]  # fmt: skip


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda c: f"{c[0]}:{c[1].rsplit(':', 1)[-1]}")
def test_each_azure_rule_fails_on_a_broken_plan(case: tuple) -> None:
    name, token, edit = case
    plan = plan_for("production")
    assert CHECKS[name](plan) == []
    assert CHECKS[name](_broken(plan, token, edit)) != []


@pytest.mark.parametrize(
    ("token", "edit"),
    [
        (PG, lambda i: i["highAvailability"].update(mode="Disabled")),
        (PG, lambda i: i["backup"].update(geoRedundantBackup="Disabled")),
        (PG, lambda i: i["backup"].update(backupRetentionDays=3)),
        (REDIS, lambda i: i.update(highAvailability="Disabled")),
        (BLOBS, lambda i: i.update(isVersioningEnabled=False)),
        (LOCK, lambda i: i.update(scope="/elsewhere")),
    ],
)
def test_production_protection_fails_on_a_weakened_stack(token: str, edit) -> None:
    assert protected(_broken(plan_for("production"), token, edit)) != []


def _golden_keys(stack: str) -> set[str]:
    path = Path(__file__).resolve().parents[1] / "plan" / "golden" / f"{stack}.json"
    return set(json.loads(path.read_text())["outputs"]["envKeys"])


def test_env_contract_keys_match_the_other_targets() -> None:
    """The required keys of every target; Azure adds only the account's blob endpoint and the
    identity's client id, and has no static storage keys (its identity replaces them)."""
    plan = plan_for("production")
    azure, aws, gcp = set(plan.outputs["envKeys"]), _golden_keys("prod"), _golden_keys("prod-gcp")
    assert azure >= REQUIRED_KEYS and aws >= REQUIRED_KEYS and gcp >= REQUIRED_KEYS
    assert azure - aws == {"AWS_S3_ENDPOINT_URL", "AZURE_CLIENT_ID"}
    assert aws - azure == set()
    assert gcp - azure == {"REDIS_CA_CERT"}
    assert {p.env_keys for p in VIEW.processes(plan)} == {frozenset(azure)}
    env = {e["name"]: e.get("value") for e in _web(_apps(plan)["web"].inputs)}
    identity = one(plan, "azure-native:managedidentity:UserAssignedIdentity")
    assert env["STORAGE_BACKEND"] == "azure"
    assert env["AWS_STORAGE_BUCKET_NAME"] == "trudeploy-prod-azure-media"
    assert env["AWS_S3_ENDPOINT_URL"] == one(plan, ACCOUNT).outputs["primaryEndpoints"]["blob"]
    assert env["AZURE_CLIENT_ID"] == identity.outputs["clientId"]


def test_release_is_webs_init_container_and_worker_and_beat_wait_for_web() -> None:
    plan = plan_for("production")
    apps = _apps(plan)
    web = template(apps["web"])
    assert [c["args"] for c in web["initContainers"]] == [["release"]]
    assert web["initContainers"][0]["image"] == web["containers"][0]["image"]
    assert apps["web"].inputs["configuration"]["activeRevisionsMode"] == "Single"
    for process in ("worker", "beat"):
        assert apps[process].urn != apps["web"].urn
        assert apps["web"].urn in plan.depends_on(apps[process].urn)
        assert "ingress" not in apps[process].inputs["configuration"]
        assert "initContainers" not in template(apps[process])


def test_worker_and_beat_carry_webs_ready_revision() -> None:
    apps = _apps(plan_for("production"))
    for process in ("worker", "beat"):
        assert (
            apps[process].inputs["tags"]["released-revision"]
            == (apps["web"].outputs["latestReadyRevisionName"])
        )


def test_a_failed_release_fails_the_plan_naming_the_revision() -> None:
    from components.azure.simulated import FAILING_COMMAND

    def fail_release(name, cls, props, opts):
        template_ = props.get("template")
        if name.endswith("-web") and isinstance(template_, dict):
            inits = [{**c, "args": list(FAILING_COMMAND)} for c in template_["init_containers"]]
            return {**props, "template": {**template_, "init_containers": inits}}, opts
        return None

    with pytest.raises(Exception, match=r"web revision '.*-web--1' is not ready"):
        plan_with(azure_config(), transform=fail_release)


def test_web_probes_ingress_and_scaling_follow_the_profile() -> None:
    plan = plan_for("production")
    web = _apps(plan)["web"]
    probes = {p["type"]: p["httpGet"]["path"] for p in template(web)["containers"][0]["probes"]}
    assert probes == {"Readiness": "/api/v1/health/ready/", "Liveness": "/api/v1/health/live/"}
    assert template(web)["scale"]["minReplicas"] == 2
    assert template(web)["scale"]["maxReplicas"] == 6
    ingress = web.inputs["configuration"]["ingress"]
    assert ingress["external"] is True and ingress["allowInsecure"] is False
    assert template(_apps(plan)["worker"])["scale"] == {"minReplicas": 2, "maxReplicas": 2}
    env = {e["name"]: e.get("value") for e in _web(web.inputs)}
    assert env["TRUSTED_PROXY_COUNT"] == "1" and int(env["GUNICORN_KEEPALIVE"]) > 240


def test_the_domain_gets_a_managed_certificate_bound_to_web() -> None:
    plan = plan_for("production")
    cert = one(plan, "azure-native:app:ManagedCertificate")
    assert cert.inputs["properties"]["subjectName"] == DOMAIN
    domains = _apps(plan)["web"].inputs["configuration"]["ingress"]["customDomains"]
    assert domains == [{"name": DOMAIN, "certificateId": cert.id, "bindingType": "SniEnabled"}]
    env = {e["name"]: e.get("value") for e in _web(_apps(plan)["web"].inputs)}
    assert env["ALLOWED_HOSTS"] == DOMAIN and plan.outputs["url"] == f"https://{DOMAIN}"


def test_without_a_domain_web_serves_its_container_apps_name() -> None:
    plan = no_domain_plan()
    assert plan.of_type("azure-native:app:ManagedCertificate") == []
    web = _apps(plan)["web"]
    domain = one(plan, "azure-native:app:ManagedEnvironment").outputs["defaultDomain"]
    assert domain.endswith(".westeurope.azurecontainerapps.io")
    fqdn = f"trudeploy-prod-azure-app-web.{domain}"
    env = {e["name"]: e.get("value") for e in _web(web.inputs)}
    assert env["ALLOWED_HOSTS"] == fqdn and env["CSRF_TRUSTED_ORIGINS"] == f"https://{fqdn}"
    assert plan.outputs["url"] == f"https://{fqdn}"


def test_the_development_profile_is_small_and_fits_azures_minimums() -> None:
    plan = plan_for("development")
    pg = one(plan, PG)
    assert pg.inputs["sku"] == {"name": "Standard_B1ms", "tier": "Burstable"}
    assert pg.inputs["highAvailability"] == {"mode": "Disabled"}
    # The profile's 1 day is below what Flexible Server keeps: its minimum.
    assert pg.inputs["backup"]["backupRetentionDays"] == 7
    assert one(plan, REDIS).inputs["sku"] == {"name": "Balanced_B0"}
    assert one(plan, "azure-native:operationalinsights:Workspace").inputs["retentionInDays"] == 30
    assert one(plan, "azure-native:app:ManagedEnvironment").inputs["zoneRedundant"] is False


def test_a_prebuilt_image_is_run_as_given() -> None:
    plan = plan_with(azure_config(app={"image": "ghcr.io/example/app:2"}))
    assert plan.of_type("docker:index/image:Image") == []
    web = template(_apps(plan)["web"])
    assert web["containers"][0]["image"] == web["initContainers"][0]["image"]
    assert web["containers"][0]["image"] == "ghcr.io/example/app:2"
