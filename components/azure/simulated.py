"""Computed outputs Azure Resource Manager would return, for the offline plan
(components/simulated.py).

Values are derived from the URN (`SimArgs.digest` / `chars`) in ARM's shapes: resource ids
`/subscriptions/<sub>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>`, GUID principal and
client ids, the service hostnames (`<server>.postgres.database.azure.com`,
`<cluster>.<region>.redis.azure.net`, `https://<account>.blob.core.windows.net/`,
`<registry>.azurecr.io`, `<app>.<env hash>.<region>.azurecontainerapps.io`). Keys the provider
returns as secrets (Redis access keys, the Log Analytics shared key) are secret outputs here too.
"""

from __future__ import annotations

import hashlib
import string
from typing import Any

from components.simulated import SimArgs, SimRule, secret

SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"
TENANT = "00000000-0000-4000-8000-000000000002"
KEY_CHARS = string.ascii_letters + string.digits
FAILING_COMMAND = ("false",)
"""The offline plan runs no container: an init container with this command stands for a release
that exits non-zero, so its revision is reported as never ready."""


def _guid(a: SimArgs, salt: str) -> str:
    h = a.digest(salt, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def location(a: SimArgs) -> str:
    """The `location` input, else the stack's `azure-native:location`."""
    return str(a.inputs.get("location") or a.config.get("azure-native:location", "westeurope"))


def _name(a: SimArgs, key: str) -> str:
    return str(a.inputs.get(key) or f"{a.name}{a.digest('name', 8)}")


def _arm(a: SimArgs, provider: str, key: str, extra: dict[str, Any] | None = None) -> dict:
    """An ARM resource `<provider>/<name>` in the resource group the inputs name."""
    name = _name(a, key)
    group = a.inputs.get("resourceGroupName", "rg")
    rid = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/{provider}/{name}"
    return {"id": rid, "name": name, "type": provider, **(extra or {})}


def _child(a: SimArgs, parent_key: str, provider: str, parent_type: str, child: str, key: str):
    parent = a.inputs.get(parent_key, "parent")
    return _arm(a, f"{provider}/{parent_type}/{parent}/{child}", key) | {
        "name": _name(a, key),
        "id": _arm(a, f"{provider}/{parent_type}/{parent}/{child}", key)["id"],
    }


def _group(a: SimArgs) -> dict[str, Any]:
    name = _name(a, "resourceGroupName")
    return {"id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}", "name": name}


def _identity(a: SimArgs) -> dict[str, Any]:
    return _arm(a, "Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName") | {
        "clientId": _guid(a, "client"),
        "principalId": _guid(a, "principal"),
        "tenantId": TENANT,
    }


def _server(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.DBforPostgreSQL/flexibleServers", "serverName")
    return out | {"fullyQualifiedDomainName": f"{out['name']}.postgres.database.azure.com"}


def _redis(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.Cache/redisEnterprise", "clusterName")
    return out | {"hostName": f"{out['name']}.{location(a)}.redis.azure.net"}


def _account(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.Storage/storageAccounts", "accountName")
    return out | {"primaryEndpoints": {"blob": f"https://{out['name']}.blob.core.windows.net/"}}


def _registry(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.ContainerRegistry/registries", "registryName")
    return out | {"loginServer": f"{out['name']}.azurecr.io"}


def _vault(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.KeyVault/vaults", "vaultName")
    props = dict(a.inputs.get("properties") or {})
    return out | {"properties": {**props, "vaultUri": f"https://{out['name']}.vault.azure.net/"}}


def _secret(a: SimArgs) -> dict[str, Any]:
    vault, name = a.inputs.get("vaultName", "vault"), _name(a, "secretName")
    uri = f"https://{vault}.vault.azure.net/secrets/{name}"
    return _child(a, "vaultName", "Microsoft.KeyVault", "vaults", "secrets", "secretName") | {
        # The value is write-only: ARM never returns it.
        "properties": {"secretUri": uri, "secretUriWithVersion": f"{uri}/{a.digest('v', 32)}"}
    }


def _environment(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.App/managedEnvironments", "environmentName")
    domain = f"{_env_domain(out['id'])}.{location(a)}.azurecontainerapps.io"
    return out | {"defaultDomain": domain}


def _env_domain(environment_id: str) -> str:
    """The environment's generated label (`<adjective>-<noun>-<hash>` in Azure; a hash here)."""
    return "env-" + hashlib.sha256(environment_id.encode()).hexdigest()[:8]


def _container_app(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.App/containerApps", "containerAppName")
    config = dict(a.inputs.get("configuration") or {})
    if config.get("ingress"):
        domain = f"{_env_domain(str(a.inputs.get('managedEnvironmentId', '')))}.{location(a)}"
        fqdn = f"{out['name']}.{domain}.azurecontainerapps.io"
        config["ingress"] = {**config["ingress"], "fqdn": fqdn}
    identity = dict(a.inputs.get("identity") or {})
    # Sent as a list of ids, returned as a map of id -> the identity's ids.
    assigned = {
        str(i): {"clientId": _guid(a, f"c{i}"), "principalId": _guid(a, f"p{i}")}
        for i in identity.get("userAssignedIdentities") or []
    }
    inits = (a.inputs.get("template") or {}).get("initContainers") or []
    failed = any(list(c.get("args") or []) == list(FAILING_COMMAND) for c in inits)
    return out | {
        "configuration": config,
        "identity": {**identity, "userAssignedIdentities": assigned},
        "latestRevisionName": f"{out['name']}--1",
        # A revision whose init container fails never becomes ready; the previous one stays.
        "latestReadyRevisionName": f"{out['name']}--{0 if failed else 1}",
    }


def _client_config(a: SimArgs) -> dict[str, Any]:
    return {"subscriptionId": SUBSCRIPTION, "tenantId": TENANT, "clientId": _guid(a, "me")}


def _redis_keys(a: SimArgs) -> dict[str, Any]:
    return {
        "primaryKey": secret(a.chars(44, KEY_CHARS, "k1")),
        "secondaryKey": secret(a.chars(44, KEY_CHARS, "k2")),
    }


def _shared_keys(a: SimArgs) -> dict[str, Any]:
    return {
        "primarySharedKey": secret(a.chars(88, KEY_CHARS, "s1")),
        "secondarySharedKey": secret(a.chars(88, KEY_CHARS, "s2")),
    }


def _workspace(a: SimArgs) -> dict[str, Any]:
    out = _arm(a, "Microsoft.OperationalInsights/workspaces", "workspaceName")
    return out | {"customerId": _guid(a, "customer")}


def _image(a: SimArgs) -> dict[str, Any]:
    image = str(a.inputs.get("imageName", a.name))
    repo = image.rsplit(":", 1)[0]
    return {
        "id": f"sha256:{a.digest('image', 64)}",
        "imageName": image,
        "repoDigest": f"{repo}@sha256:{a.digest('digest', 64)}",
        "baseImageName": image,
        "registryServer": repo.split("/", 1)[0],
    }


def _simple(provider: str, key: str) -> SimRule:
    return lambda a: _arm(a, provider, key)


RULES: dict[str, SimRule] = {
    "azure-native:resources:ResourceGroup": _group,
    "azure-native:network:VirtualNetwork": _simple(
        "Microsoft.Network/virtualNetworks", "virtualNetworkName"
    ),
    "azure-native:network:Subnet": lambda a: _child(
        a, "virtualNetworkName", "Microsoft.Network", "virtualNetworks", "subnets", "subnetName"
    ),
    "azure-native:network:PrivateEndpoint": _simple(
        "Microsoft.Network/privateEndpoints", "privateEndpointName"
    ),
    "azure-native:network:PrivateDnsZoneGroup": lambda a: _child(
        a,
        "privateEndpointName",
        "Microsoft.Network",
        "privateEndpoints",
        "privateDnsZoneGroups",
        "privateDnsZoneGroupName",
    ),
    "azure-native:privatedns:PrivateZone": _simple(
        "Microsoft.Network/privateDnsZones", "privateZoneName"
    ),
    "azure-native:privatedns:VirtualNetworkLink": lambda a: _child(
        a,
        "privateZoneName",
        "Microsoft.Network",
        "privateDnsZones",
        "virtualNetworkLinks",
        "virtualNetworkLinkName",
    ),
    "azure-native:keyvault:Vault": _vault,
    "azure-native:keyvault:Secret": _secret,
    "azure-native:managedidentity:UserAssignedIdentity": _identity,
    "azure-native:authorization:RoleAssignment": lambda a: {
        "id": f"{a.inputs.get('scope')}/providers/Microsoft.Authorization/roleAssignments/"
        f"{_guid(a, 'ra')}",
        "name": _guid(a, "ra"),
    },
    "azure-native:authorization:ManagementLockByScope": lambda a: {
        "id": f"{a.inputs.get('scope')}/providers/Microsoft.Authorization/locks/"
        f"{a.inputs.get('lockName')}",
        "name": a.inputs.get("lockName"),
    },
    "azure-native:dbforpostgresql:Server": _server,
    "azure-native:dbforpostgresql:Configuration": lambda a: _child(
        a,
        "serverName",
        "Microsoft.DBforPostgreSQL",
        "flexibleServers",
        "configurations",
        "configurationName",
    ),
    "azure-native:dbforpostgresql:Database": lambda a: _child(
        a, "serverName", "Microsoft.DBforPostgreSQL", "flexibleServers", "databases", "databaseName"
    ),
    "azure-native:redisenterprise:RedisEnterprise": _redis,
    "azure-native:redisenterprise:Database": lambda a: _child(
        a, "clusterName", "Microsoft.Cache", "redisEnterprise", "databases", "databaseName"
    ),
    "azure-native:storage:StorageAccount": _account,
    "azure-native:storage:BlobServiceProperties": lambda a: (
        _child(a, "accountName", "Microsoft.Storage", "storageAccounts", "blobServices", "x")
        | {"name": "default"}
    ),
    "azure-native:storage:ManagementPolicy": lambda a: (
        _child(a, "accountName", "Microsoft.Storage", "storageAccounts", "managementPolicies", "x")
        | {"name": "default"}
    ),
    "azure-native:storage:BlobContainer": lambda a: _child(
        a,
        "accountName",
        "Microsoft.Storage",
        "storageAccounts",
        "blobServices/default/containers",
        "containerName",
    ),
    "azure-native:containerregistry:Registry": _registry,
    "azure-native:operationalinsights:Workspace": _workspace,
    "azure-native:app:ManagedEnvironment": _environment,
    "azure-native:app:ContainerApp": _container_app,
    "azure-native:app:ManagedCertificate": lambda a: _child(
        a, "environmentName", "Microsoft.App", "managedEnvironments", "managedCertificates", "x"
    ),
    "docker:index/image:Image": _image,
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:redisenterprise:listDatabaseKeys": _redis_keys,
    "azure-native:operationalinsights:getSharedKeys": _shared_keys,
}
