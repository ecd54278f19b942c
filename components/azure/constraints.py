"""What Azure Resource Manager refuses, per resource type this target declares (see
components/constraints.py).

Each rule cites the page that states the limit; names come from the ARM naming rules. Every name
this target sends is explicit (no Pulumi autoname). Add a rule when the program starts setting an
input the API constrains; add the type when the target declares a new one (the plan lists types
without constraints).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from components.azure.common import PG_SKUS, PG_STORAGE_SIZES, REDIS_SKUS
from components.constraints import Combination, Constraints, Length, OneOf, Pattern, Range, Rule

LEARN = "https://learn.microsoft.com/azure"
NAMES = f"{LEARN}/azure-resource-manager/management/resource-name-rules"
RG_NAMES = f"{NAMES}#microsoftresources"
NETWORK_NAMES = f"{NAMES}#microsoftnetwork"
DNS_NAMES = f"{NAMES}#microsoftnetwork"
KV_NAMES = f"{NAMES}#microsoftkeyvault"
STORAGE_NAMES = f"{NAMES}#microsoftstorage"
ACR_NAMES = f"{NAMES}#microsoftcontainerregistry"
PG_NAMES = f"{NAMES}#microsoftdbforpostgresql"
MI_NAMES = f"{NAMES}#microsoftmanagedidentity"
LOG_NAMES = f"{NAMES}#microsoftoperationalinsights"
APP_NAMES = f"{NAMES}#microsoftapp"
REDIS_NAMES = f"{NAMES}#microsoftcache"
LOCK_NAMES = f"{NAMES}#microsoftauthorization"
SUBNET_SIZE = (
    f"{LEARN}/virtual-network/virtual-networks-faq"
    "#how-small-and-how-large-can-virtual-networks-and-subnets-be"
)
APPS_SUBNET = f"{LEARN}/container-apps/custom-virtual-networks#subnet"
PG_DELEGATION = (
    f"{LEARN}/postgresql/flexible-server/concepts-networking-private#virtual-network-concepts"
)
PG_VERSIONS = f"{LEARN}/postgresql/flexible-server/concepts-supported-versions"
PG_COMPUTE = f"{LEARN}/postgresql/flexible-server/concepts-compute"
PG_STORAGE = f"{LEARN}/postgresql/flexible-server/concepts-storage"
PG_BACKUP = f"{LEARN}/postgresql/flexible-server/concepts-backup-restore#backup-retention"
PG_HA = f"{LEARN}/postgresql/flexible-server/concepts-high-availability"
PG_ZONE = f"{LEARN}/postgresql/flexible-server/concepts-networking-private#use-a-private-dns-zone"
PG_TLS = f"{LEARN}/postgresql/flexible-server/concepts-networking-ssl-tls"
PG_ADMIN = f"{LEARN}/postgresql/flexible-server/quickstart-create-server"
PG_DB = "https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS"
AMR_SKUS = f"{LEARN}/redis/overview#choosing-the-right-tier"
AMR_HA = f"{LEARN}/redis/high-availability"
AMR_TLS = f"{LEARN}/redis/tls-configuration"
AMR_CLUSTER = f"{LEARN}/redis/architecture#cluster-policies"
AMR_EVICTION = f"{LEARN}/redis/how-to-eviction"
PE_GROUPS = f"{LEARN}/private-link/private-endpoint-overview#private-link-resource"
PE_ZONES = f"{LEARN}/private-link/private-endpoint-dns"
KV_SOFT_DELETE = f"{LEARN}/key-vault/general/soft-delete-overview"
KV_SECRET_NAMES = f"{LEARN}/key-vault/general/about-keys-secrets-certificates#object-identifiers"
KV_RBAC = f"{LEARN}/key-vault/general/rbac-guide"
STORAGE_ACCOUNT = f"{LEARN}/storage/common/storage-account-overview#types-of-storage-accounts"
STORAGE_TLS = f"{LEARN}/storage/common/transport-layer-security-configure-minimum-version"
STORAGE_REDUNDANCY = f"{LEARN}/storage/common/storage-redundancy"
BLOB_SOFT_DELETE = f"{LEARN}/storage/blobs/soft-delete-blob-overview"
CONTAINER_NAMES = (
    "https://learn.microsoft.com/rest/api/storageservices/"
    "naming-and-referencing-containers--blobs--and-metadata#container-names"
)
LIFECYCLE = f"{LEARN}/storage/blobs/lifecycle-management-overview"
ACR_SKUS = f"{LEARN}/container-registry/container-registry-skus"
ROLE_ASSIGNMENT = (
    f"{LEARN}/role-based-access-control/role-assignments-template#new-service-principal"
)
LOCKS = f"{LEARN}/azure-resource-manager/management/lock-resources"
LOG_RETENTION = f"{LEARN}/azure-monitor/logs/data-retention-configure"
APP_RESOURCES = f"{LEARN}/container-apps/containers#allocations"
APP_SCALE = f"{LEARN}/container-apps/scale-app#scale-definition"
APP_PROBES = f"{LEARN}/container-apps/health-probes#restrictions"
APP_INGRESS = f"{LEARN}/container-apps/ingress-overview"
APP_ENV = f"{LEARN}/container-apps/workload-profiles-overview"
APP_LOGS = f"{LEARN}/container-apps/log-options"
APP_CERTS = f"{LEARN}/container-apps/custom-domains-managed-certificates"
APP_REVISIONS = f"{LEARN}/container-apps/revisions#revision-modes"

LOCATION = Pattern(r"[a-z0-9]+", "an Azure region name such as westeurope (lowercase)")
DASHED = "lowercase letters, digits and hyphens, a letter first, not ending in -"


def _dashed(low: int, high: int, single: bool = False) -> Pattern:
    """`single`: no `--` either (Container Apps keeps `--` for revision names: ARM answers
    ContainerAppInvalidName "... and cannot have '--'")."""
    guard, words = ("(?!.*--)", f"{low}-{high} {DASHED}, no --") if single else ("", "")
    return Pattern(
        rf"{guard}[a-z][-a-z0-9]{{{low - 2},{high - 2}}}[a-z0-9]", words or f"{low}-{high} {DASHED}"
    )


def _cidr(key: str, low: int, high: int) -> Combination:
    def test(inputs: Mapping[str, Any]) -> str | None:
        value: Any = inputs
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        values = value if isinstance(value, list) else [value]
        for item in values:
            try:
                net = ipaddress.ip_network(str(item), strict=True)
            except ValueError as exc:
                return str(exc)
            if not low <= net.prefixlen <= high:
                return f"{item}: /{net.prefixlen}"
        return None

    return Combination(key, f"network addresses with a prefix /{low}../{high}", test, SUBNET_SIZE)


def _apps_subnet(inputs: Mapping[str, Any]) -> str | None:
    services = [d.get("serviceName") for d in inputs.get("delegations") or []]
    if "Microsoft.App/environments" not in services:
        return None
    prefix = ipaddress.ip_network(str(inputs.get("addressPrefix")), strict=False).prefixlen
    return f"/{prefix} is smaller than /27" if prefix > 27 else None


def _pg_ha(inputs: Mapping[str, Any]) -> str | None:
    mode = (inputs.get("highAvailability") or {}).get("mode", "Disabled")
    tier = (inputs.get("sku") or {}).get("tier")
    if mode != "Disabled" and tier == "Burstable":
        return "high availability on the Burstable tier"
    return None


def _pg_sku(inputs: Mapping[str, Any]) -> str | None:
    sku = inputs.get("sku") or {}
    pair = (sku.get("name"), sku.get("tier"))
    return None if pair in PG_SKUS.values() else f"{pair} is not one of {sorted(PG_SKUS.values())}"


def _pg_zone(inputs: Mapping[str, Any]) -> str | None:
    network = inputs.get("network") or {}
    if network.get("publicNetworkAccess") != "Disabled":
        return "a VNet-integrated server has publicNetworkAccess Disabled"
    if not network.get("delegatedSubnetResourceId") or not network.get(
        "privateDnsZoneArmResourceId"
    ):
        return "VNet integration needs a delegated subnet and a private DNS zone"
    return None


def _app_resources(containers_key: str) -> Combination:
    def test(inputs: Mapping[str, Any]) -> str | None:
        spec = inputs.get("template") or {}
        for c in [*(spec.get("initContainers") or []), *(spec.get(containers_key) or [])]:
            res = c.get("resources") or {}
            cpu, memory = float(res.get("cpu", 0)), str(res.get("memory", ""))
            if cpu < 0.25 or cpu > 4 or (cpu * 4) != int(cpu * 4):
                return f"{c.get('name')}: cpu {cpu}"
            if memory != f"{cpu * 2:g}Gi":
                return f"{c.get('name')}: {cpu} vCPU with {memory} (must be {cpu * 2:g}Gi)"
        return None

    return Combination(
        "template", "0.25..4 vCPU in 0.25 steps, memory 2Gi per vCPU", test, APP_RESOURCES
    )


def _app_scale(inputs: Mapping[str, Any]) -> str | None:
    scale = (inputs.get("template") or {}).get("scale") or {}
    low, high = int(scale.get("minReplicas", 0)), int(scale.get("maxReplicas", 10))
    if not 0 <= low <= high <= 1000 or high < 1:
        return f"min {low}, max {high}"
    return None


def _app_probes(inputs: Mapping[str, Any]) -> str | None:
    for c in (inputs.get("template") or {}).get("containers") or []:
        for p in c.get("probes") or []:
            if not 0 <= int(p.get("initialDelaySeconds", 0)) <= 60:
                return f"{p.get('type')}: initialDelaySeconds {p.get('initialDelaySeconds')}"
            if not 1 <= int(p.get("periodSeconds", 10)) <= 240:
                return f"{p.get('type')}: periodSeconds {p.get('periodSeconds')}"
            if not 1 <= int(p.get("timeoutSeconds", 1)) <= 240:
                return f"{p.get('type')}: timeoutSeconds {p.get('timeoutSeconds')}"
            if not 1 <= int(p.get("failureThreshold", 3)) <= 10:
                return f"{p.get('type')}: failureThreshold {p.get('failureThreshold')}"
            if p.get("type") not in ("Liveness", "Readiness", "Startup"):
                return f"probe type {p.get('type')}"
    return None


def _secret_refs(inputs: Mapping[str, Any]) -> str | None:
    config = inputs.get("configuration") or {}
    names = {s.get("name") for s in config.get("secrets") or []}
    for s in config.get("secrets") or []:
        if s.get("keyVaultUrl") and not s.get("identity"):
            return f"secret {s.get('name')}: a Key Vault reference needs an identity"
    spec = inputs.get("template") or {}
    for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for e in c.get("env") or []:
            if e.get("secretRef") and e["secretRef"] not in names:
                return f"{c.get('name')}: env {e.get('name')} refers to unknown {e['secretRef']}"
    return None


SECRET_NAME = Pattern(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", "lowercase letters, digits, - and .")
TAGS = Combination(
    "tags",
    "at most 50 tags; names up to 512 characters, values up to 256",
    lambda i: (
        None
        if len(i.get("tags") or {}) <= 50
        and all(len(k) <= 512 and len(str(v)) <= 256 for k, v in (i.get("tags") or {}).items())
        else f"{len(i.get('tags') or {})} tags"
    ),
    f"{LEARN}/azure-resource-manager/management/tag-resources#limitations",
)


def _located(*rules: Rule | Combination, tagged: bool = True) -> Constraints:
    extra: tuple[Rule | Combination, ...] = (TAGS,) if tagged else ()
    return Constraints((Rule("location", LOCATION, NAMES), *extra, *rules))


CONSTRAINTS: dict[str, Constraints] = {
    "azure-native:resources:ResourceGroup": _located(
        Rule(
            "resourceGroupName",
            Pattern(r"[-\w._()]{0,89}[-\w_()]", "1-90 letters, digits, _ - . ( ), not ending in ."),
            RG_NAMES,
        )
    ),
    "azure-native:network:VirtualNetwork": _located(_cidr("addressSpace.addressPrefixes", 8, 29)),
    "azure-native:network:Subnet": Constraints(
        (
            Rule(
                "subnetName",
                Pattern(r"\w([-\w.]{0,78}\w)?", "1-80 word characters, - ."),
                NETWORK_NAMES,
            ),
            _cidr("addressPrefix", 8, 29),
            Combination(
                "addressPrefix",
                "a Container Apps subnet is /27 or larger",
                _apps_subnet,
                APPS_SUBNET,
            ),
            Rule(
                "delegations[].serviceName",
                OneOf(("Microsoft.App/environments", "Microsoft.DBforPostgreSQL/flexibleServers")),
                PG_DELEGATION,
            ),
        )
    ),
    "azure-native:network:PrivateEndpoint": _located(
        Rule(
            "privateLinkServiceConnections[].groupIds[]",
            OneOf(("blob", "vault", "redisEnterprise")),
            PE_GROUPS,
        ),
        tagged=False,
    ),
    "azure-native:network:PrivateDnsZoneGroup": Constraints(
        (
            Rule(
                "privateDnsZoneGroupName",
                Pattern(r"\w[-\w.]{0,78}\w", "2-80 word characters"),
                NETWORK_NAMES,
            ),
        )
    ),
    "azure-native:privatedns:PrivateZone": Constraints(
        (
            Rule("location", OneOf(("global",)), PE_ZONES),
            Rule(
                "privateZoneName",
                Pattern(
                    r"privatelink\.(redis\.azure\.net|blob\.core\.windows\.net|vaultcore\.azure\.net)"
                    r"|[a-z0-9-]+(\.[a-z0-9-]+)*\.postgres\.database\.azure\.com",
                    "a Private Link zone, or <name>.postgres.database.azure.com for a server",
                ),
                PG_ZONE,
            ),
            TAGS,
        )
    ),
    "azure-native:privatedns:VirtualNetworkLink": Constraints(
        (
            Rule("location", OneOf(("global",)), PE_ZONES),
            Rule("registrationEnabled", OneOf((False,)), PE_ZONES),
        )
    ),
    "azure-native:keyvault:Vault": _located(
        Rule(
            "vaultName",
            Pattern(
                r"(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]",
                "3-24 letters, digits, single -, a letter first",
            ),
            KV_NAMES,
        ),
        Rule("properties.softDeleteRetentionInDays", Range(7, 90), KV_SOFT_DELETE),
        Rule("properties.enableRbacAuthorization", OneOf((True,)), KV_RBAC),
        Rule("properties.sku.name", OneOf(("standard", "premium")), KV_NAMES),
    ),
    "azure-native:keyvault:Secret": Constraints(
        (
            Rule(
                "secretName",
                Pattern(r"[0-9a-zA-Z-]{1,127}", "1-127 letters, digits and -"),
                KV_SECRET_NAMES,
            ),
        )
    ),
    "azure-native:managedidentity:UserAssignedIdentity": _located(
        Rule(
            "resourceName",
            Pattern(
                r"[a-zA-Z0-9][-\w]{2,127}", "3-128 letters, digits, - and _, alphanumeric first"
            ),
            MI_NAMES,
        )
    ),
    "azure-native:authorization:RoleAssignment": Constraints(
        (
            Rule("principalType", OneOf(("ServicePrincipal",)), ROLE_ASSIGNMENT),
            Rule(
                "roleDefinitionId",
                Pattern(
                    r"/subscriptions/[-0-9a-f]{36}/providers/Microsoft\.Authorization/roleDefinitions/[-0-9a-f]{36}",
                    "a role definition id",
                ),
                ROLE_ASSIGNMENT,
            ),
        )
    ),
    "azure-native:authorization:ManagementLockByScope": Constraints(
        (
            Rule("level", OneOf(("CanNotDelete", "ReadOnly")), LOCKS),
            Rule(
                "lockName",
                Pattern(r"[^<>*%&:\\?/+]{1,90}", "1-90 characters without <>*%&:\\?/+"),
                LOCK_NAMES,
            ),
            Rule("notes", Length(0, 512), LOCKS),
        )
    ),
    "azure-native:dbforpostgresql:Server": _located(
        Rule("serverName", _dashed(3, 63), PG_NAMES),
        Rule("version", OneOf(("13", "14", "15", "16", "17")), PG_VERSIONS),
        Combination("sku", "a SKU this target sizes (name, tier)", _pg_sku, PG_COMPUTE),
        Rule("storage.storageSizeGB", OneOf(PG_STORAGE_SIZES), PG_STORAGE),
        Rule("backup.backupRetentionDays", Range(7, 35), PG_BACKUP),
        Rule("highAvailability.mode", OneOf(("Disabled", "ZoneRedundant", "SameZone")), PG_HA),
        Combination("highAvailability", "no high availability on Burstable", _pg_ha, PG_HA),
        Combination("network", "VNet integration: no public access", _pg_zone, PG_DELEGATION),
        Rule(
            "administratorLogin",
            Pattern(
                r"(?!(azure_superuser|azure_pg_admin|admin|administrator|root|guest|public)$)"
                r"(?!pg_)[a-z_][a-z0-9_]{0,62}",
                "1-63 characters, not a reserved name nor starting with pg_",
            ),
            PG_ADMIN,
        ),
    ),
    "azure-native:dbforpostgresql:Configuration": Constraints(
        (
            Rule("configurationName", OneOf(("require_secure_transport",)), PG_TLS),
            Rule("value", OneOf(("on",)), PG_TLS),
        )
    ),
    "azure-native:dbforpostgresql:Database": Constraints(
        (
            Rule(
                "databaseName",
                Pattern(r"[a-z_][a-z0-9_$]{0,62}", "a PostgreSQL identifier (1-63)"),
                PG_DB,
            ),
        )
    ),
    "azure-native:redisenterprise:RedisEnterprise": _located(
        Rule("clusterName", _dashed(1 + 1, 60), REDIS_NAMES),
        Rule("sku.name", OneOf(tuple(REDIS_SKUS.values())), AMR_SKUS),
        Rule("highAvailability", OneOf(("Enabled", "Disabled")), AMR_HA),
        Rule("minimumTlsVersion", OneOf(("1.2",)), AMR_TLS),
        Rule("publicNetworkAccess", OneOf(("Disabled",)), PE_GROUPS),
    ),
    "azure-native:redisenterprise:Database": Constraints(
        (
            Rule("databaseName", OneOf(("default",)), REDIS_NAMES),
            Rule("clientProtocol", OneOf(("Encrypted",)), AMR_TLS),
            Rule("port", Range(10000, 10000), AMR_TLS),
            Rule(
                "clusteringPolicy",
                OneOf(("EnterpriseCluster", "OSSCluster", "NoCluster")),
                AMR_CLUSTER,
            ),
            Rule(
                "evictionPolicy",
                OneOf(
                    (
                        "NoEviction",
                        "AllKeysLRU",
                        "VolatileLRU",
                        "AllKeysLFU",
                        "VolatileLFU",
                        "AllKeysRandom",
                        "VolatileRandom",
                        "VolatileTTL",
                    )
                ),
                AMR_EVICTION,
            ),
        )
    ),
    "azure-native:storage:StorageAccount": _located(
        Rule(
            "accountName",
            Pattern(r"[a-z0-9]{3,24}", "3-24 lowercase letters and digits"),
            STORAGE_NAMES,
        ),
        Rule("kind", OneOf(("StorageV2",)), STORAGE_ACCOUNT),
        Rule(
            "sku.name",
            OneOf(
                (
                    "Standard_LRS",
                    "Standard_ZRS",
                    "Standard_GRS",
                    "Standard_GZRS",
                    "Standard_RAGRS",
                    "Standard_RAGZRS",
                )
            ),
            STORAGE_REDUNDANCY,
        ),
        Rule("minimumTlsVersion", OneOf(("TLS1_2",)), STORAGE_TLS),
        Rule("enableHttpsTrafficOnly", OneOf((True,)), STORAGE_TLS),
    ),
    "azure-native:storage:BlobServiceProperties": Constraints(
        (
            Rule("blobServicesName", OneOf(("default",)), BLOB_SOFT_DELETE),
            Rule("deleteRetentionPolicy.days", Range(1, 365), BLOB_SOFT_DELETE),
            Rule("containerDeleteRetentionPolicy.days", Range(1, 365), BLOB_SOFT_DELETE),
        )
    ),
    "azure-native:storage:ManagementPolicy": Constraints(
        (
            Rule("managementPolicyName", OneOf(("default",)), LIFECYCLE),
            Rule(
                "policy.rules[].definition.actions.version.delete.daysAfterCreationGreaterThan",
                Range(0, 99999),
                LIFECYCLE,
            ),
        )
    ),
    "azure-native:storage:BlobContainer": Constraints(
        (
            Rule(
                "containerName",
                Pattern(
                    r"(?!.*--)[a-z0-9][-a-z0-9]{1,61}[a-z0-9]",
                    "3-63 lowercase letters, digits, single hyphens",
                ),
                CONTAINER_NAMES,
            ),
            Rule("publicAccess", OneOf(("None",)), CONTAINER_NAMES),
        )
    ),
    "azure-native:containerregistry:Registry": _located(
        Rule("registryName", Pattern(r"[a-zA-Z0-9]{5,50}", "5-50 letters and digits"), ACR_NAMES),
        Rule("sku.name", OneOf(("Basic", "Standard", "Premium")), ACR_SKUS),
    ),
    "azure-native:operationalinsights:Workspace": _located(
        Rule(
            "workspaceName",
            Pattern(r"[a-zA-Z0-9][-a-zA-Z0-9]{2,61}[a-zA-Z0-9]", "4-63 letters, digits, -"),
            LOG_NAMES,
        ),
        Rule("retentionInDays", Range(30, 730), LOG_RETENTION),
        Rule("sku.name", OneOf(("PerGB2018",)), LOG_RETENTION),
    ),
    "azure-native:app:ManagedEnvironment": _located(
        Rule("environmentName", _dashed(2, 60, single=True), APP_NAMES),
        Rule(
            "workloadProfiles[].workloadProfileType",
            OneOf(("Consumption", "D4", "D8", "D16", "E4", "E8")),
            APP_ENV,
        ),
        Rule(
            "appLogsConfiguration.destination", OneOf(("log-analytics", "azure-monitor")), APP_LOGS
        ),
    ),
    "azure-native:app:ContainerApp": _located(
        Rule("containerAppName", _dashed(2, 32, single=True), APP_NAMES),
        Rule("configuration.activeRevisionsMode", OneOf(("Single",)), APP_REVISIONS),
        Rule(
            "configuration.ingress.transport", OneOf(("auto", "http", "http2", "tcp")), APP_INGRESS
        ),
        Rule("configuration.ingress.targetPort", Range(1, 65535), APP_INGRESS),
        _app_resources("containers"),
        Combination("template.scale", "0 <= min <= max <= 1000, max >= 1", _app_scale, APP_SCALE),
        Combination(
            "template.containers",
            "probe timings within Container Apps' ranges",
            _app_probes,
            APP_PROBES,
        ),
        Combination(
            "configuration.secrets", "secret references resolve", _secret_refs, APP_INGRESS
        ),
    ),
    "azure-native:app:ManagedCertificate": _located(
        Rule("properties.domainControlValidation", OneOf(("CNAME", "HTTP", "TXT")), APP_CERTS),
        Rule(
            "properties.subjectName",
            Pattern(r"([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", "a domain name"),
            APP_CERTS,
        ),
        tagged=False,
    ),
}
