"""Azure-specific rules on an offline plan, each returning what is wrong (empty = holds), so a
test can feed a deliberately broken plan and see the rule fail.

- private: PostgreSQL is VNet-integrated with public access disabled; Redis, the storage account
  and the vault refuse public network access and are reached through a private endpoint; no blob
  is anonymous; the Container Apps environment runs in the VNet (D1, D5, W5).
- tls: PostgreSQL requires TLS; Redis speaks only TLS 1.2+; the storage account HTTPS only, TLS
  1.2 minimum (D3).
- protected (production): backups >= 7 days, geo-redundant, zone-redundant HA, Pulumi's protect
  and a CanNotDelete lock on the server; HA Redis; blob versioning and a protected account (D4,
  O5).
- least privilege: one user-assigned identity runs every app; its role assignments are exactly
  AcrPull on the registry, Key Vault Secrets User on the vault, Storage Blob Data Contributor on
  the container and Storage Blob Delegator on the account; shared-key access is off.
- secrets by reference: every contract secret reaches a container as a `secretRef` to a Key Vault
  reference read as that identity, never as a plain value (S2).
- one beat replica: beat's app has exactly one replica, min and max (W3).
- admin password: the generated PostgreSQL admin password is 8-128 characters and always has
  characters of three of the four classes Flexible Server asks for (upper, lower, digits,
  symbols: https://learn.microsoft.com/azure/postgresql/flexible-server/quickstart-create-server).
- unsharded broker: the Redis database is non-clustered, because Celery's transport sends
  multi-key commands across hash slots (BRPOP over priority lists, MULTI on the unacked keys)
  that a sharded policy refuses with CROSSSLOT
  (https://learn.microsoft.com/azure/redis/choose-clustering-policy).
"""

from __future__ import annotations

from typing import Any

from components.app_env import SECRET_KEYS
from components.azure.common import ROLES
from components.azure.plan_view import APP, replicas, template
from core.plan import Plan, PlanResource

PG = "azure-native:dbforpostgresql:Server"
PG_CONFIG = "azure-native:dbforpostgresql:Configuration"
LOCK = "azure-native:authorization:ManagementLockByScope"
REDIS = "azure-native:redisenterprise:RedisEnterprise"
REDIS_DB = "azure-native:redisenterprise:Database"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOBS = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"
VAULT = "azure-native:keyvault:Vault"
REGISTRY = "azure-native:containerregistry:Registry"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE = "azure-native:authorization:RoleAssignment"
ENDPOINT = "azure-native:network:PrivateEndpoint"
SUBNET = "azure-native:network:Subnet"
ENVIRONMENT = "azure-native:app:ManagedEnvironment"


def _endpoint_targets(plan: Plan) -> set[str]:
    return {
        str(c.get("privateLinkServiceId"))
        for e in plan.of_type(ENDPOINT)
        for c in e.inputs.get("privateLinkServiceConnections") or []
    }


def private(plan: Plan) -> list[str]:
    wrong: list[str] = []
    targets = _endpoint_targets(plan)
    for pg in plan.of_type(PG):
        net = pg.inputs.get("network") or {}
        if net.get("publicNetworkAccess") != "Disabled" or not net.get("delegatedSubnetResourceId"):
            wrong.append(f"{pg.urn}: not VNet-integrated without public access")
    for token in (REDIS, ACCOUNT):
        for r in plan.of_type(token):
            if r.inputs.get("publicNetworkAccess") != "Disabled":
                wrong.append(f"{r.urn}: public network access")
            if r.id not in targets:
                wrong.append(f"{r.urn}: no private endpoint")
    for account in plan.of_type(ACCOUNT):
        if account.inputs.get("allowBlobPublicAccess") is not False:
            wrong.append(f"{account.urn}: anonymous blob access allowed")
    for c in plan.of_type(CONTAINER):
        if c.inputs.get("publicAccess") != "None":
            wrong.append(f"{c.urn}: public container")
    for vault in plan.of_type(VAULT):
        acls = (vault.inputs.get("properties") or {}).get("networkAcls") or {}
        if acls.get("defaultAction") != "Deny":
            wrong.append(f"{vault.urn}: vault firewall open")
        if vault.id not in targets:
            wrong.append(f"{vault.urn}: no private endpoint")
    subnets = {s.id for s in plan.of_type(SUBNET)}
    for env in plan.of_type(ENVIRONMENT):
        infra = (env.inputs.get("vnetConfiguration") or {}).get("infrastructureSubnetId")
        if infra not in subnets:
            wrong.append(f"{env.urn}: not in the stack's VNet")
    return wrong


def tls(plan: Plan) -> list[str]:
    wrong: list[str] = []
    configs = {
        (c.inputs.get("configurationName"), c.inputs.get("value")) for c in plan.of_type(PG_CONFIG)
    }
    if plan.of_type(PG) and ("require_secure_transport", "on") not in configs:
        wrong.append("PostgreSQL does not require TLS")
    for db in plan.of_type(REDIS_DB):
        if db.inputs.get("clientProtocol") != "Encrypted":
            wrong.append(f"{db.urn}: plaintext Redis protocol")
    for r in plan.of_type(REDIS):
        if r.inputs.get("minimumTlsVersion") != "1.2":
            wrong.append(f"{r.urn}: TLS below 1.2")
    for a in plan.of_type(ACCOUNT):
        if a.inputs.get("enableHttpsTrafficOnly") is not True:
            wrong.append(f"{a.urn}: HTTP allowed")
        if a.inputs.get("minimumTlsVersion") != "TLS1_2":
            wrong.append(f"{a.urn}: TLS below 1.2")
    return wrong


def protected(plan: Plan) -> list[str]:
    wrong: list[str] = []
    locks = {str(lock.inputs.get("scope")) for lock in plan.of_type(LOCK)}
    for pg in plan.of_type(PG):
        backup = pg.inputs.get("backup") or {}
        if int(backup.get("backupRetentionDays", 0)) < 7:
            wrong.append(f"{pg.urn}: backups kept < 7 days")
        if backup.get("geoRedundantBackup") != "Enabled":
            wrong.append(f"{pg.urn}: backups not geo-redundant")
        if (pg.inputs.get("highAvailability") or {}).get("mode") != "ZoneRedundant":
            wrong.append(f"{pg.urn}: no zone-redundant HA")
        if not pg.protect:
            wrong.append(f"{pg.urn}: not protected")
        if pg.id not in locks:
            wrong.append(f"{pg.urn}: no delete lock")
    for r in plan.of_type(REDIS):
        if r.inputs.get("highAvailability") != "Enabled":
            wrong.append(f"{r.urn}: no Redis HA")
    for b in plan.of_type(BLOBS):
        if b.inputs.get("isVersioningEnabled") is not True:
            wrong.append(f"{b.urn}: no blob versioning")
    for a in plan.of_type(ACCOUNT):
        if not a.protect:
            wrong.append(f"{a.urn}: not protected")
    return wrong


def least_privilege(plan: Plan) -> list[str]:
    wrong: list[str] = []
    identities = plan.of_type(IDENTITY)
    if len(identities) != 1:
        return [f"expected one managed identity, found {len(identities)}"]
    identity = identities[0]
    scopes = {
        "AcrPull": {r.id for r in plan.of_type(REGISTRY)},
        "Key Vault Secrets User": {r.id for r in plan.of_type(VAULT)},
        "Storage Blob Data Contributor": {r.id for r in plan.of_type(CONTAINER)},
        "Storage Blob Delegator": {r.id for r in plan.of_type(ACCOUNT)},
    }
    by_id = {guid: name for name, guid in ROLES.items()}
    granted: set[str] = set()
    for grant in plan.of_type(ROLE):
        role = by_id.get(str(grant.inputs.get("roleDefinitionId")).rsplit("/", 1)[-1])
        if grant.inputs.get("principalId") != identity.outputs.get("principalId"):
            wrong.append(f"{grant.urn}: grants to someone else")
        if role is None:
            wrong.append(f"{grant.urn}: role {grant.inputs.get('roleDefinitionId')}")
            continue
        if grant.inputs.get("scope") not in scopes[role]:
            wrong.append(f"{grant.urn}: {role} on {grant.inputs.get('scope')}")
        granted.add(role)
    if granted != set(ROLES):
        wrong.append(f"roles granted: {sorted(granted)}")
    for a in plan.of_type(ACCOUNT):
        if a.inputs.get("allowSharedKeyAccess") is not False:
            wrong.append(f"{a.urn}: shared-key access on")
    for app in plan.of_type(APP):
        assigned = (app.inputs.get("identity") or {}).get("userAssignedIdentities") or []
        if assigned != [identity.id]:
            wrong.append(f"{app.urn}: runs as {assigned}")
        for registry in (app.inputs.get("configuration") or {}).get("registries") or []:
            if registry.get("identity") != identity.id or registry.get("passwordSecretRef"):
                wrong.append(f"{app.urn}: pulls without the identity")
    return wrong


def _containers(app: PlanResource) -> list[dict[str, Any]]:
    spec = template(app)
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def secrets_by_reference(plan: Plan) -> list[str]:
    wrong: list[str] = []
    for app in plan.of_type(APP):
        config = app.inputs.get("configuration") or {}
        refs = {s.get("name"): s for s in config.get("secrets") or []}
        for c in _containers(app):
            for e in c.get("env") or []:
                if e.get("name") not in SECRET_KEYS:
                    continue
                ref = refs.get(e.get("secretRef"))
                if "value" in e or ref is None:
                    wrong.append(f"{app.urn}: {e.get('name')} is not a secret reference")
                elif not ref.get("keyVaultUrl") or "value" in ref:
                    wrong.append(f"{app.urn}: {e.get('name')} is not read from Key Vault")
    return wrong


def one_beat_replica(plan: Plan) -> list[str]:
    beats = [
        app
        for app in plan.of_type(APP)
        if [c.get("args") for c in template(app).get("containers") or []] == [["beat"]]
    ]
    if len(beats) != 1:
        return [f"expected one beat app, found {len(beats)}"]
    return [] if replicas(beats[0]) == (1, 1) else [f"beat replicas {replicas(beats[0])}"]


PASSWORD = "random:index/randomPassword:RandomPassword"


def _classes(inputs: dict[str, Any]) -> int:
    """How many character classes every password these RandomPassword inputs make contains."""
    counts = [
        inputs.get("upper", True) and inputs.get("minUpper", 0) >= 1,
        inputs.get("lower", True) and inputs.get("minLower", 0) >= 1,
        inputs.get("numeric", True) and inputs.get("minNumeric", 0) >= 1,
        inputs.get("special", True) and inputs.get("minSpecial", 0) >= 1,
    ]
    return sum(bool(c) for c in counts)


def admin_password(plan: Plan) -> list[str]:
    wrong: list[str] = []
    passwords = {p.urn: p for p in plan.of_type(PASSWORD)}
    for pg in plan.of_type(PG):
        feeding = pg.property_dependencies.get("administratorLoginPassword") or []
        for urn in feeding:
            inputs = passwords[urn].inputs if urn in passwords else {}
            if not 8 <= int(inputs.get("length", 0)) <= 128 or _classes(inputs) < 3:
                wrong.append(f"{pg.urn}: admin password from {urn} may miss a character class")
        if not feeding:
            wrong.append(f"{pg.urn}: admin password not generated")
    return wrong


def unsharded_broker(plan: Plan) -> list[str]:
    return [
        f"{db.urn}: clustering policy {db.inputs.get('clusteringPolicy')}"
        for db in plan.of_type(REDIS_DB)
        if db.inputs.get("clusteringPolicy") != "NoCluster"
    ]


CHECKS = {
    "private": private,
    "tls": tls,
    "least privilege": least_privilege,
    "secrets by reference": secrets_by_reference,
    "one beat replica": one_beat_replica,
    "unsharded broker": unsharded_broker,
    "admin password": admin_password,
}
