"""The stack's private network: one VNet with a subnet per use, and the private DNS zones that make
PostgreSQL, Redis, Blob Storage and Key Vault resolve to private addresses inside it.

- `apps`: the Container Apps environment (delegated to Microsoft.App/environments; a workload
  profiles environment needs at least a /27,
  https://learn.microsoft.com/azure/container-apps/custom-virtual-networks#subnet);
- `postgres`: delegated to Flexible Server, which lives only there (VNet integration,
  https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-private);
- `endpoints`: the private endpoints of Redis, the storage account and the vault.

Nothing stateful has a public address: the services are reached through these subnets only (D1,
W5), and each zone is linked to this VNet alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform

network = namespace("network", "virtual_network", "subnet")
privatedns = namespace("privatedns", "private_zone", "virtual_network_link")


ADDRESS_SPACE = "10.60.0.0/16"
SUBNETS = {
    "apps": ("10.60.0.0/23", "Microsoft.App/environments"),
    "postgres": ("10.60.2.0/24", "Microsoft.DBforPostgreSQL/flexibleServers"),
    "endpoints": ("10.60.3.0/24", None),
}
ZONES = {
    "redis": "privatelink.redis.azure.net",
    "blob": "privatelink.blob.core.windows.net",
    "vault": "privatelink.vaultcore.azure.net",
}
"""Private Link zones (https://learn.microsoft.com/azure/private-link/private-endpoint-dns)."""


@dataclass(frozen=True)
class NetworkArgs:
    """`postgres_zone`: the Flexible Server's own private zone (`*.postgres.database.azure.com`)."""

    resource_group: pulumi.Input[str]
    location: str
    postgres_zone: str
    tags: Mapping[str, str] = field(default_factory=dict)


class Network(Component):
    """`subnets` by use, `zones` (private DNS zone resources) by service."""

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Network", name, transform, opts)
        self.vnet = self.child(
            network.VirtualNetwork,
            f"{name}-vnet",
            resource_group_name=args.resource_group,
            location=args.location,
            address_space={"address_prefixes": [ADDRESS_SPACE]},
            tags=dict(args.tags),
        )
        self.subnets: dict[str, network.Subnet] = {}
        previous: list[pulumi.Resource] = []
        for use, (prefix, delegation) in SUBNETS.items():
            # One subnet change at a time: Azure refuses concurrent updates of one VNet.
            self.subnets[use] = self.child(
                network.Subnet,
                f"{name}-{use}",
                subnet_name=use,
                resource_group_name=args.resource_group,
                virtual_network_name=self.vnet.name,
                address_prefix=prefix,
                delegations=([{"name": use, "service_name": delegation}] if delegation else None),
                private_endpoint_network_policies="Disabled" if use == "endpoints" else None,
                opts=pulumi.ResourceOptions(depends_on=previous),
            )
            previous = [self.subnets[use]]
        self.zones: dict[str, privatedns.PrivateZone] = {}
        for service, zone in {**ZONES, "postgres": args.postgres_zone}.items():
            self.zones[service] = self.child(
                privatedns.PrivateZone,
                f"{name}-{service}-zone",
                private_zone_name=zone,
                resource_group_name=args.resource_group,
                location="global",
                tags=dict(args.tags),
            )
            self.child(
                privatedns.VirtualNetworkLink,
                f"{name}-{service}-link",
                private_zone_name=self.zones[service].name,
                resource_group_name=args.resource_group,
                location="global",
                virtual_network={"id": self.vnet.id},
                registration_enabled=False,
                tags=dict(args.tags),
            )
        self.done({"vnet": self.vnet.id})
