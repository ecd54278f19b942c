"""The service's one user-assigned managed identity and exactly the roles it needs.

- `AcrPull` on the stack's registry (Container Apps pulls the image as the identity, no admin
  user or password);
- `Key Vault Secrets User` on the stack's vault (Container Apps resolves `keyVaultUrl` secrets as
  the identity);
- `Storage Blob Data Contributor` on the media container only, and `Storage Blob Delegator` on
  its account (which only lets it ask for a user-delegation key, to sign download URLs) (D5).

`ServicePrincipal` as principal type: Azure then does not look the new identity up in Entra ID
before assigning, which fails while the identity is still replicating
(https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.azure.common import role_id, tags
from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform

authorization = namespace("authorization", "role_assignment")
managedidentity = namespace("managedidentity", "user_assigned_identity")


@dataclass(frozen=True)
class IdentityArgs:
    """Where the identity lives."""

    name: str
    resource_group: pulumi.Input[str]
    location: str
    subscription_id: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class RuntimeIdentity(Component):
    """`identity` (its `id`, `client_id`, `principal_id`); `grant(...)` adds one role at a scope,
    and `grants` lists them for the processes to wait on."""

    def __init__(
        self,
        name: str,
        args: IdentityArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Identity", name, transform, opts)
        self._name = name
        self._subscription = args.subscription_id
        self.identity = self.child(
            managedidentity.UserAssignedIdentity,
            f"{name}-identity",
            resource_name_=args.name,
            resource_group_name=args.resource_group,
            location=args.location,
            tags=tags(args.tags),
        )
        self.grants: list[pulumi.Resource] = []
        self.done({"clientId": self.identity.client_id})

    def grant(self, label: str, role: str, scope: pulumi.Input[str]) -> None:
        """`role` (a name in common.ROLES) for the identity on `scope` only."""
        self.grants.append(
            self.child(
                authorization.RoleAssignment,
                f"{self._name}-{label}",
                principal_id=self.identity.principal_id,
                principal_type="ServicePrincipal",
                role_definition_id=pulumi.Output.from_input(self._subscription).apply(
                    lambda sub: role_id(sub, role)
                ),
                scope=scope,
            )
        )
