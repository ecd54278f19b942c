"""VPC endpoints: the AWS APIs a task needs to start, reached without the NAT gateway.

- S3 (gateway endpoint, every profile): free, and ECR serves image layers from S3, so image pulls
  and the app's media traffic stop paying NAT's per-GB charge.
- ECR api + dkr, Secrets Manager, CloudWatch Logs (interface endpoints with private DNS, profile
  `private_endpoints`): a task starts (image, secrets, log stream) even when the NAT gateway of
  its zone is down. Each costs per hour per zone, more than a development stack's NAT gateway,
  so only production has them.

The interface endpoints share one security group that admits HTTPS from the service's group only;
the service's existing HTTPS egress rule covers the way there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform

aws = pulumi_aws(ec2=("security_group", "vpc_endpoint"), vpc=("security_group_ingress_rule",))

INTERFACE_SERVICES = ("ecr.api", "ecr.dkr", "secretsmanager", "logs")


@dataclass(frozen=True)
class EndpointsArgs:
    """Where the endpoints go; `interface` adds the paid interface endpoints."""

    region: str
    vpc_id: pulumi.Input[str]
    private_subnet_ids: list[pulumi.Input[str]]
    private_route_table_ids: list[pulumi.Input[str]]
    service_security_group_id: pulumi.Input[str]
    interface: bool
    tags: Mapping[str, str] = field(default_factory=dict)


def service_name(region: str, service: str) -> str:
    """The endpoint service name AWS publishes for `service` in `region`."""
    return f"com.amazonaws.{region}.{service}"


class PrivateEndpoints(Component):
    """`endpoints`: service name -> VpcEndpoint."""

    def __init__(
        self,
        name: str,
        args: EndpointsArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:Endpoints", name, transform, opts)
        tags = dict(args.tags)
        self.endpoints: dict[str, aws.ec2.VpcEndpoint] = {
            "s3": self.child(
                aws.ec2.VpcEndpoint,
                f"{name}-s3",
                vpc_id=args.vpc_id,
                service_name=service_name(args.region, "s3"),
                vpc_endpoint_type="Gateway",
                route_table_ids=args.private_route_table_ids,
                tags={**tags, "Name": f"{name}-s3"},
            )
        }
        if args.interface:
            group = self.child(
                aws.ec2.SecurityGroup,
                f"{name}-sg",
                vpc_id=args.vpc_id,
                description="VPC interface endpoints: HTTPS from the service tasks",
                tags={**tags, "Name": f"{name}-sg"},
            )
            self.child(
                aws.vpc.SecurityGroupIngressRule,
                f"{name}-sg-from-service",
                security_group_id=group.id,
                referenced_security_group_id=args.service_security_group_id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="HTTPS from the service tasks",
                tags=tags,
            )
            for service in INTERFACE_SERVICES:
                label = service.replace(".", "-")
                self.endpoints[service] = self.child(
                    aws.ec2.VpcEndpoint,
                    f"{name}-{label}",
                    vpc_id=args.vpc_id,
                    service_name=service_name(args.region, service),
                    vpc_endpoint_type="Interface",
                    private_dns_enabled=True,
                    subnet_ids=args.private_subnet_ids,
                    security_group_ids=[group.id],
                    tags={**tags, "Name": f"{name}-{label}"},
                )
        self.done({"endpoints": {k: e.id for k, e in self.endpoints.items()}})
