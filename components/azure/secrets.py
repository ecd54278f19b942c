"""The stack's Key Vault and the app's secrets in it.

RBAC authorization (no access policies): the runtime identity gets `Key Vault Secrets User` on
this vault only (identity.py). Soft delete is always on; purge protection in production, so a
deleted secret cannot be purged before its retention ends. The data plane has no public entry:
the firewall denies every address and the app reaches the vault through its private endpoint;
the secrets themselves are written through Azure Resource Manager (`Microsoft.KeyVault/vaults/
secrets`), which the firewall does not govern.

Container Apps reads each secret by its versioned URI (`keyVaultUrl`), so a new value is a new
revision and no value ever appears in an app definition or in the plan (S1, S2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.azure.common import tags
from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform

keyvault = namespace("keyvault", "vault", "secret")


SOFT_DELETE_DAYS = 90


@dataclass(frozen=True)
class VaultArgs:
    """`tenant_id` owns the vault; `protected`: purge protection and a protected vault."""

    name: str
    resource_group: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    protected: bool
    tags: Mapping[str, str] = field(default_factory=dict)


def secret_name(key: str) -> str:
    """A Key Vault secret name (letters, digits and `-`) for an env key."""
    return key.lower().replace("_", "-")


class Vault(Component):
    """`vault`, and `put(key, value)` -> the versioned URI Container Apps reads."""

    def __init__(
        self,
        name: str,
        args: VaultArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Vault", name, transform, opts)
        self._args = args
        self._name = name
        self.vault = self.child(
            keyvault.Vault,
            f"{name}-vault",
            vault_name=args.name,
            resource_group_name=args.resource_group,
            location=args.location,
            properties={
                "tenant_id": args.tenant_id,
                "sku": {"family": "A", "name": "standard"},
                "enable_rbac_authorization": True,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": SOFT_DELETE_DAYS,
                "enable_purge_protection": True if args.protected else None,
                "network_acls": {"default_action": "Deny", "bypass": "None"},
            },
            tags=tags(args.tags),
            opts=pulumi.ResourceOptions(protect=args.protected),
        )
        self.secrets: dict[str, keyvault.Secret] = {}
        self.done({"vault": self.vault.name})

    def put(self, key: str, value: pulumi.Input[str]) -> pulumi.Output[str]:
        """Store `value` as the secret for env `key`; its versioned URI."""
        secret = self.child(
            keyvault.Secret,
            f"{self._name}-{secret_name(key)}",
            secret_name=secret_name(key),
            vault_name=self.vault.name,
            resource_group_name=self._args.resource_group,
            properties={"value": pulumi.Output.secret(value)},
        )
        self.secrets[key] = secret
        return secret.properties.secret_uri_with_version
