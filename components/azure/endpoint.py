"""A private endpoint: a private address in the endpoints subnet for one service (Redis, a storage
account's blob service, a vault), registered in that service's private DNS zone, so its public
hostname resolves to the private address from inside the VNet
(https://learn.microsoft.com/azure/private-link/private-endpoint-overview)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform

network = namespace("network", "private_endpoint", "private_dns_zone_group")


@dataclass(frozen=True)
class EndpointArgs:
    """`target` is the service's resource id; `group` its sub-resource (`blob`, `vault`...)."""

    resource_group: pulumi.Input[str]
    location: str
    subnet_id: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    target: pulumi.Input[str]
    group: str


class PrivateEndpoint(Component):
    """`endpoint`: the private endpoint, ready once its DNS record is."""

    def __init__(
        self,
        name: str,
        args: EndpointArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:PrivateEndpoint", name, transform, opts)
        self.endpoint = self.child(
            network.PrivateEndpoint,
            f"{name}-pe",
            resource_group_name=args.resource_group,
            location=args.location,
            subnet={"id": args.subnet_id},
            private_link_service_connections=[
                {"name": name, "private_link_service_id": args.target, "group_ids": [args.group]}
            ],
        )
        self.dns = self.child(
            network.PrivateDnsZoneGroup,
            f"{name}-dns",
            resource_group_name=args.resource_group,
            private_endpoint_name=self.endpoint.name,
            private_dns_zone_group_name="default",
            private_dns_zone_configs=[{"name": args.group, "private_dns_zone_id": args.zone_id}],
        )
        self.done({"endpoint": self.endpoint.id})
