"""The Azure target's provider constraints: every rule refuses a crafted bad input and accepts a
good one (cases built on the real production plan's inputs), the real plans break none of them,
and `trudeploy plan` on a stack whose plan breaks one exits non-zero naming resource, input and
rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from azure_plans import ENVS, azure_config, plan_for

from components.azure.constraints import CONSTRAINTS
from tests.plan.constraint_cases import Case, one, run, uncovered

REPO = Path(__file__).resolve().parents[2]
A = "azure-native:"
RG, VNET, SUBNET = f"{A}resources:ResourceGroup", f"{A}network:VirtualNetwork", f"{A}network:Subnet"
PE, PE_DNS = f"{A}network:PrivateEndpoint", f"{A}network:PrivateDnsZoneGroup"
ZONE, LINK = f"{A}privatedns:PrivateZone", f"{A}privatedns:VirtualNetworkLink"
VAULT, SECRET = f"{A}keyvault:Vault", f"{A}keyvault:Secret"
MI, ROLE = f"{A}managedidentity:UserAssignedIdentity", f"{A}authorization:RoleAssignment"
LOCK = f"{A}authorization:ManagementLockByScope"
PG, PG_CONF, PG_DB = (
    f"{A}dbforpostgresql:Server",
    f"{A}dbforpostgresql:Configuration",
    f"{A}dbforpostgresql:Database",
)
REDIS, REDIS_DB = f"{A}redisenterprise:RedisEnterprise", f"{A}redisenterprise:Database"
ACCOUNT, BLOBS = f"{A}storage:StorageAccount", f"{A}storage:BlobServiceProperties"
POLICY, CONTAINER = f"{A}storage:ManagementPolicy", f"{A}storage:BlobContainer"
ACR, LOGS = f"{A}containerregistry:Registry", f"{A}operationalinsights:Workspace"
ENV, APP, CERT = f"{A}app:ManagedEnvironment", f"{A}app:ContainerApp", f"{A}app:ManagedCertificate"

LOCATED = (RG, VNET, PE, VAULT, MI, PG, REDIS, ACCOUNT, ACR, LOGS, ENV, APP, CERT)
TAGGED = (RG, VNET, ZONE, VAULT, MI, PG, REDIS, ACCOUNT, ACR, LOGS, ENV, APP)
TAGS = "at most 50 tags"
MANY_TAGS = {f"k{i}": "v" for i in range(51)}
DASHED = "lowercase letters, digits and hyphens"
WEB = "template.containers[0]"


def _probe(key: str, bad: object, good: object) -> Case:
    path = f"{WEB}.probes[0].{key}"
    return Case(APP, "template.containers", "probe timings", {path: bad}, {path: good}, "-web", key)


CASES: list[Case] = [
    *(one(t, "location", "an Azure region", "West Europe", "westeurope") for t in LOCATED),
    *(one(t, "tags", TAGS, MANY_TAGS, {"env": "prod"}) for t in TAGGED),
    one(RG, "resourceGroupName", "1-90 letters", "rg.", "rg-1"),
    one(VNET, "addressSpace.addressPrefixes", "prefix /8../29", ["10.0.0.0/30"], ["10.0.0.0/16"]),
    one(SUBNET, "subnetName", "1-80 word", "bad name", "apps", base="-apps"),
    one(SUBNET, "addressPrefix", "prefix /8../29", "10.60.0.1/24", "10.60.0.0/24", base="-apps"),
    one(SUBNET, "addressPrefix", "/27 or larger", "10.60.0.0/28", "10.60.0.0/27", base="-apps"),
    one(SUBNET, "delegations[].serviceName", "Microsoft.App", "Microsoft.Web/serverFarms",
        "Microsoft.App/environments", base="-apps"),
    one(PE, "privateLinkServiceConnections[].groupIds[]", "blob, vault", "table", "blob"),
    one(PE_DNS, "privateDnsZoneGroupName", "2-80 word", "a", "default"),
    one(ZONE, "location", "global", "westeurope", "global"),
    one(ZONE, "privateZoneName", "Private Link zone", "privatelink.database.windows.net",
        "privatelink.blob.core.windows.net"),
    one(LINK, "location", "global", "westeurope", "global"),
    one(LINK, "registrationEnabled", "False", True, False),
    one(VAULT, "vaultName", "3-24 letters", "v" * 25, "v" * 24),
    one(VAULT, "vaultName", "3-24 letters", "1vault", "vault1"),
    one(VAULT, "vaultName", "3-24 letters", "app--kv", "app-kv"),
    one(VAULT, "properties.softDeleteRetentionInDays", "7..90", 91, 90),
    one(VAULT, "properties.enableRbacAuthorization", "True", False, True),
    one(VAULT, "properties.sku.name", "standard, premium", "free", "premium"),
    one(SECRET, "secretName", "1-127 letters", "secret_key", "secret-key"),
    one(MI, "resourceName", "3-128 letters", "-app", "app"),
    one(ROLE, "principalType", "ServicePrincipal", "User", "ServicePrincipal"),
    one(ROLE, "roleDefinitionId", "a role definition id", "AcrPull",
        "/subscriptions/00000000-0000-4000-8000-000000000001/providers/"
        "Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"),
    one(LOCK, "level", "CanNotDelete", "NoDelete", "ReadOnly"),
    one(LOCK, "lockName", "1-90 characters", "no/delete", "no-delete"),
    one(LOCK, "notes", "0-512", "n" * 513, "n" * 512),
    one(PG, "serverName", DASHED, "Pg_1", "pg-1"),
    one(PG, "serverName", DASHED, "pg", "pg1"),
    one(PG, "version", "13, 14", "12", "17"),
    one(PG, "sku", "a SKU this target sizes", {"name": "Standard_B1ms", "tier": "GeneralPurpose"},
        {"name": "Standard_B1ms", "tier": "Burstable"}),
    one(PG, "storage.storageSizeGB", "32, 64", 100, 128),
    one(PG, "backup.backupRetentionDays", "7..35", 1, 35),
    one(PG, "highAvailability.mode", "ZoneRedundant", "Regional", "SameZone"),
    Case(PG, "highAvailability", "no high availability on Burstable",
         {"sku": {"name": "Standard_B1ms", "tier": "Burstable"}},
         {"sku": {"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"}}),
    Case(PG, "network", "VNet integration", {"network.publicNetworkAccess": "Enabled"},
         {"network.publicNetworkAccess": "Disabled"}),
    Case(PG, "network", "VNet integration", {"network.delegatedSubnetResourceId": None},
         {"network.publicNetworkAccess": "Disabled"}, id="no subnet"),
    one(PG, "administratorLogin", "not a reserved name", "azure_superuser", "app"),
    one(PG, "administratorLogin", "not a reserved name", "pg_app", "administrators"),
    one(PG_CONF, "configurationName", "require_secure", "ssl", "require_secure_transport"),
    one(PG_CONF, "value", "on", "off", "on"),
    one(PG_DB, "databaseName", "a PostgreSQL identifier", "1app", "app_1"),
    one(REDIS, "clusterName", DASHED, "redis-", "redis-1"),
    one(REDIS, "sku.name", "Balanced_B0", "Enterprise_E10", "Balanced_B5"),
    one(REDIS, "highAvailability", "Enabled, Disabled", "On", "Disabled"),
    one(REDIS, "minimumTlsVersion", "1.2", "1.0", "1.2"),
    one(REDIS, "publicNetworkAccess", "Disabled", "Enabled", "Disabled"),
    one(REDIS_DB, "databaseName", "default", "db1", "default"),
    one(REDIS_DB, "clientProtocol", "Encrypted", "Plaintext", "Encrypted"),
    one(REDIS_DB, "port", "10000..10000", 6380, 10000),
    one(REDIS_DB, "clusteringPolicy", "EnterpriseCluster", "Cluster", "OSSCluster"),
    one(REDIS_DB, "evictionPolicy", "NoEviction", "noeviction", "AllKeysLRU"),
    one(ACCOUNT, "accountName", "3-24 lowercase", "Trudeploy", "trudeploy"),
    one(ACCOUNT, "accountName", "3-24 lowercase", "a" * 25, "a" * 24),
    one(ACCOUNT, "kind", "StorageV2", "BlobStorage", "StorageV2"),
    one(ACCOUNT, "sku.name", "Standard_LRS", "Premium_LRS", "Standard_GZRS"),
    one(ACCOUNT, "minimumTlsVersion", "TLS1_2", "TLS1_0", "TLS1_2"),
    one(ACCOUNT, "enableHttpsTrafficOnly", "True", False, True),
    one(BLOBS, "blobServicesName", "default", "blobs", "default"),
    one(BLOBS, "deleteRetentionPolicy.days", "1..365", 0, 365),
    one(BLOBS, "containerDeleteRetentionPolicy.days", "1..365", 366, 1),
    one(POLICY, "managementPolicyName", "default", "policy", "default"),
    one(POLICY, "policy.rules[].definition.actions.version.delete.daysAfterCreationGreaterThan",
        "0..99999", -1, 30),
    one(CONTAINER, "containerName", "3-63 lowercase", "media--files", "media-files"),
    one(CONTAINER, "containerName", "3-63 lowercase", "Media", "media"),
    one(CONTAINER, "publicAccess", "None", "Blob", "None"),
    one(ACR, "registryName", "5-50 letters", "acr-1", "acr01"),
    one(ACR, "sku.name", "Basic, Standard", "Free", "Premium"),
    one(LOGS, "workspaceName", "4-63 letters", "-logs", "logs"),
    one(LOGS, "retentionInDays", "30..730", 7, 730),
    one(LOGS, "sku.name", "PerGB2018", "Free", "PerGB2018"),
    one(ENV, "environmentName", DASHED, "E", "env"),
    one(ENV, "environmentName", DASHED, "app--env", "app-env"),
    one(ENV, "workloadProfiles[].workloadProfileType", "Consumption", "Serverless", "D4"),
    one(ENV, "appLogsConfiguration.destination", "log-analytics", "none", "azure-monitor"),
    one(APP, "containerAppName", DASHED, "a" * 33, "a" * 32, base="-web"),
    one(APP, "containerAppName", DASHED, "app--web", "app-web", base="-web"),
    one(APP, "configuration.activeRevisionsMode", "Single", "Multiple", "Single", base="-web"),
    one(APP, "configuration.ingress.transport", "auto, http", "https", "http2", base="-web"),
    one(APP, "configuration.ingress.targetPort", "1..65535", 0, 8000, base="-web"),
    one(APP, "template", "0.25..4 vCPU", {"containers": [{"name": "c", "resources": {
        "cpu": 0.3, "memory": "0.6Gi"}}]}, {"containers": [{"name": "c", "resources": {
        "cpu": 0.5, "memory": "1Gi"}}]}, base="-web"),
    one(APP, "template", "0.25..4 vCPU", {"containers": [{"name": "c", "resources": {
        "cpu": 1.0, "memory": "4Gi"}}]}, {"containers": [{"name": "c", "resources": {
        "cpu": 2.0, "memory": "4Gi"}}]}, base="-web"),
    one(APP, "template.scale", "0 <= min <= max", {"minReplicas": 3, "maxReplicas": 2},
        {"minReplicas": 2, "maxReplicas": 2}, base="-web"),
    _probe("initialDelaySeconds", 61, 60),
    _probe("periodSeconds", 241, 240),
    _probe("timeoutSeconds", 0, 1),
    _probe("failureThreshold", 11, 10),
    _probe("type", "Ready", "Startup"),
    Case(APP, "configuration.secrets", "secret references resolve", {"configuration.secrets": [
        {"name": "other", "keyVaultUrl": "https://v/secrets/x", "identity": "i"}]}, {}, "-web"),
    one(CERT, "properties.domainControlValidation", "CNAME", "DNS", "TXT"),
    one(CERT, "properties.subjectName", "a domain name", "not a domain", "app.example.com"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=Case.label)
def test_each_rule_refuses_the_bad_input_and_accepts_the_good_one(case: Case) -> None:
    bad, good = run(case, CONSTRAINTS, plan_for("production"))
    assert bad, f"{case.label()}: the bad input passed"
    assert not good, f"{case.label()}: the good input failed: {good}"


def test_every_azure_rule_has_a_case() -> None:
    assert uncovered(CONSTRAINTS, CASES) == []


@pytest.mark.parametrize("env", ENVS)
def test_the_real_azure_plans_declare_only_constrained_types(env: str) -> None:
    assert plan_for(env).unconstrained_types == []


def test_trudeploy_plan_exits_non_zero_naming_resource_input_and_rule(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    config = azure_config(**{"azure-native:location": "West Europe"})
    (tmp_path / "Pulumi.prod-azure.yaml").write_text(yaml.safe_dump({"config": config}))
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "plan", "-s", "prod-azure", "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert any(
        "azure-native:resources:ResourceGroup 'trudeploy-prod-azure-rg'" in line
        and "location = 'West Europe'" in line
        and "resource-name-rules" in line
        for line in lines
    ), proc.stderr
