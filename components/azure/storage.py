"""Media on Blob Storage: a StorageV2 account and one private container.

The account: HTTPS only, TLS 1.2 minimum, no anonymous blob access, shared-key access off (the
app is its managed identity: no account key exists for it to leak), no public network access (the
app reaches the blob service through a private endpoint, D1, D5); ZRS replication in production.
Blob versioning, and soft delete of blobs and containers, per profile (D4). The identity is
granted `Storage Blob Data Contributor` on this container only, and `Storage Blob Delegator` on
the account to sign user-delegation SAS download URLs (identity.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.azure.common import tags
from components.azure.endpoint import EndpointArgs, PrivateEndpoint
from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform, StorageOutputs, StorageSpec

storage = namespace(
    "storage", "storage_account", "blob_service_properties", "management_policy", "blob_container"
)


BACKEND = "azure"
"""The app's STORAGE_BACKEND for Blob Storage (django-storages' Azure backend)."""
SOFT_DELETE_DAYS = 7


@dataclass(frozen=True)
class StorageArgs:
    """`account_name` is global (3-24 lowercase letters and digits); `identity_client_id` names
    the identity the app uses; `protected` keeps the account on destroy."""

    spec: StorageSpec
    account_name: str
    resource_group: pulumi.Input[str]
    location: str
    subnet_id: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    identity_client_id: pulumi.Output[str]
    protected: bool
    tags: Mapping[str, str] = field(default_factory=dict)


class BlobStorage(Component):
    """`account`, `container` (identity.py grants on them) and `outputs`."""

    def __init__(
        self,
        name: str,
        args: StorageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Storage", name, transform, opts)
        spec = args.spec
        self.account = self.child(
            storage.StorageAccount,
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=args.resource_group,
            location=args.location,
            kind="StorageV2",
            sku={"name": "Standard_ZRS" if args.protected else "Standard_LRS"},
            access_tier="Hot",
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            public_network_access="Disabled",
            network_rule_set={"default_action": "Deny", "bypass": "None"},
            encryption={
                "key_source": "Microsoft.Storage",
                "services": {"blob": {"enabled": True, "key_type": "Account"}},
            },
            tags=tags(args.tags),
            opts=pulumi.ResourceOptions(protect=args.protected),
        )
        retention = {"enabled": True, "days": SOFT_DELETE_DAYS}
        props = self.child(
            storage.BlobServiceProperties,
            f"{name}-blob-service",
            account_name=self.account.name,
            resource_group_name=args.resource_group,
            blob_services_name="default",
            is_versioning_enabled=spec.versioning,
            delete_retention_policy=retention if spec.versioning else {"enabled": False},
            container_delete_retention_policy=retention,
            cors=(
                {
                    "cors_rules": [
                        {
                            "allowed_origins": list(spec.cors_origins),
                            "allowed_methods": ["GET", "HEAD", "PUT"],
                            "allowed_headers": ["Content-Type", "x-ms-*"],
                            "exposed_headers": ["ETag"],
                            "max_age_in_seconds": 3600,
                        }
                    ]
                }
                if spec.cors_origins
                else None
            ),
        )
        if spec.versioning:
            self.child(
                storage.ManagementPolicy,
                f"{name}-lifecycle",
                account_name=self.account.name,
                resource_group_name=args.resource_group,
                management_policy_name="default",
                policy={
                    "rules": [
                        {
                            "name": "expire-old-versions",
                            "type": "Lifecycle",
                            "enabled": True,
                            "definition": {
                                "filters": {"blob_types": ["blockBlob"]},
                                "actions": {
                                    "version": {
                                        "delete": {
                                            "days_after_creation_greater_than": (
                                                spec.noncurrent_version_days
                                            )
                                        }
                                    }
                                },
                            },
                        }
                    ]
                },
            )
        self.container = self.child(
            storage.BlobContainer,
            f"{name}-container",
            container_name=spec.bucket,
            account_name=self.account.name,
            resource_group_name=args.resource_group,
            public_access="None",
            opts=pulumi.ResourceOptions(depends_on=[props]),
        )
        endpoint = PrivateEndpoint(
            f"{name}-private",
            EndpointArgs(
                resource_group=args.resource_group,
                location=args.location,
                subnet_id=args.subnet_id,
                zone_id=args.zone_id,
                target=self.account.id,
                group="blob",
            ),
            transform=transform,
            opts=pulumi.ResourceOptions(parent=self),
        )
        blob = pulumi.Output.all(self.account.primary_endpoints.blob, endpoint.dns.id).apply(
            lambda v: str(v[0])
        )
        self.outputs = StorageOutputs(
            bucket=self.container.name,
            region=pulumi.Output.from_input(args.location),
            url=pulumi.Output.concat("az://", self.account.name, "/", self.container.name),
            endpoint_url=blob,
            backend=BACKEND,
            identity_client_id=args.identity_client_id,
        )
        self.done({"account": self.account.name, "container": self.container.name})
