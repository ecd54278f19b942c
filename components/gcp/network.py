"""The VPC: one private subnet for the service's Direct VPC egress, and Private Service Access
(a reserved range peered with Google's service producer network) for Cloud SQL and Memorystore.

Nothing stateful gets a public address: Cloud SQL and Memorystore take addresses from the reserved
range, and Cloud Run reaches them from the subnet. The subnet has Private Google Access, so calls
to Google APIs (Cloud Storage, Secret Manager) never need a public route.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.base import Component
from components.contract import ChildTransform
from components.gcp.common import resource_id
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(
    compute=("global_address", "network", "subnetwork"), servicenetworking=("connection",)
)

SUBNET_CIDR = "10.8.0.0/20"
"""Direct VPC egress takes addresses from this subnet; Google asks for at least a /26 and
recommends room for twice the instances (https://cloud.google.com/run/docs/configuring/vpc-direct-vpc)."""
PSA_PREFIX = 16
"""Size of the range reserved for Google's managed services (Cloud SQL, Memorystore)."""


@dataclass(frozen=True)
class NetworkArgs:
    """`region` holds the subnet (Cloud Run, Cloud SQL and Memorystore live there)."""

    region: str


class Network(Component):
    """`network_id`, `subnet_id` and `connection` (what Cloud SQL and Memorystore wait for)."""

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:Network", name, transform, opts)
        network = self.child(
            gcp.compute.Network,
            f"{name}-vpc",
            name=resource_id(name, 63),
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            description="trudeploy: the service's private network",
        )
        subnet = self.child(
            gcp.compute.Subnetwork,
            f"{name}-run",
            name=resource_id(f"{name}-run", 63),
            network=network.id,
            region=args.region,
            ip_cidr_range=SUBNET_CIDR,
            private_ip_google_access=True,
            description="Cloud Run Direct VPC egress",
        )
        reserved = self.child(
            gcp.compute.GlobalAddress,
            f"{name}-psa",
            name=resource_id(f"{name}-psa", 63),
            network=network.id,
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=PSA_PREFIX,
            description="Private Service Access: Cloud SQL and Memorystore",
        )
        self.connection = self.child(
            gcp.servicenetworking.Connection,
            f"{name}-psa-peering",
            network=network.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[reserved.name],
            # Cloud SQL keeps its hold on the connection for days after its instance is deleted,
            # so a plain delete fails ("Producer services ... are still using this connection")
            # and leaves the peering, which blocks deleting the VPC: REMOVE_PEERING removes the
            # peering then, so a development stack's `pulumi destroy` completes (O5).
            deletion_policy="REMOVE_PEERING",
        )
        self.network_id: pulumi.Output[str] = network.id
        self.subnet_id: pulumi.Output[str] = subnet.id
        self.reserved_range: pulumi.Output[str] = reserved.name
        self.done({"network": network.id, "subnet": subnet.id})
