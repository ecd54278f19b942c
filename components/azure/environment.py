"""The Container Apps environment and its logs.

A workload-profiles environment (Consumption profile) on the VNet's `apps` subnet, so the apps
reach PostgreSQL, Redis, Blob Storage and Key Vault by their private addresses (W5); zone
redundant in production (O4). Console and system logs go to a Log Analytics workspace kept for
the profile's retention (O1; Log Analytics keeps at least 30 days, so development keeps 30).
The environment is declared with the ingress (target.py): web's host name
`<app>.<default domain>` is then known to the app's ALLOWED_HOSTS and CORS settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.azure.common import LOG_RETENTION, dashed, tags
from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform

app = namespace("app", "managed_environment")
operationalinsights = namespace("operationalinsights", "workspace", "get_shared_keys")


PROFILE = "Consumption"


@dataclass(frozen=True)
class EnvironmentArgs:
    """`prefix` names the workspace and the environment."""

    prefix: str
    resource_group: pulumi.Input[str]
    location: str
    subnet_id: pulumi.Input[str]
    log_retention_days: int
    zone_redundant: bool
    tags: Mapping[str, str] = field(default_factory=dict)


class AppEnvironment(Component):
    """`environment` and its `default_domain`."""

    def __init__(
        self,
        name: str,
        args: EnvironmentArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Environment", name, transform, opts)
        workspace = self.child(
            operationalinsights.Workspace,
            f"{name}-logs",
            workspace_name=dashed(f"{args.prefix}-logs", 63),
            resource_group_name=args.resource_group,
            location=args.location,
            sku={"name": "PerGB2018"},
            retention_in_days=min(max(args.log_retention_days, LOG_RETENTION[0]), LOG_RETENTION[1]),
            tags=tags(args.tags),
        )
        keys = operationalinsights.get_shared_keys_output(
            resource_group_name=args.resource_group,
            workspace_name=workspace.name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.environment = self.child(
            app.ManagedEnvironment,
            f"{name}-env",
            environment_name=dashed(f"{args.prefix}-env", 60),
            resource_group_name=args.resource_group,
            location=args.location,
            vnet_configuration={"infrastructure_subnet_id": args.subnet_id, "internal": False},
            workload_profiles=[{"name": PROFILE, "workload_profile_type": PROFILE}],
            zone_redundant=args.zone_redundant,
            app_logs_configuration={
                "destination": "log-analytics",
                "log_analytics_configuration": {
                    "customer_id": workspace.customer_id,
                    "shared_key": pulumi.Output.secret(keys.primary_shared_key),
                },
            },
            tags=tags(args.tags),
        )
        self.default_domain: pulumi.Output[str] = self.environment.default_domain
        self.done({"defaultDomain": self.default_domain})
