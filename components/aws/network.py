"""The VPC: public subnets for the load balancer, private subnets for tasks, database and cache.

Two availability zones (RDS Multi-AZ and ElastiCache failover need two; more buys little for one
service). Private subnets reach the internet (ECR, Secrets Manager, CloudWatch, S3) through NAT:
one gateway per zone when the profile asks for HA, else one shared gateway, the cheap choice a
development stack can afford to lose.

Security groups: the network owns the service's group; each stateful component adds its own group
that admits only this one (W5, D1). The VPC's default group is emptied of its rules (nothing here
uses it; a resource created in it by hand reaches nothing and nothing reaches it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform

aws = pulumi_aws(
    ec2=(
        "default_security_group",
        "eip",
        "internet_gateway",
        "nat_gateway",
        "route",
        "route_table",
        "route_table_association",
        "security_group",
        "subnet",
        "vpc",
    ),
    vpc=("security_group_egress_rule", "security_group_ingress_rule"),
)

ZONES = 2


@dataclass(frozen=True)
class NetworkArgs:
    """`nat_per_zone` removes the single NAT gateway as a point of failure (O4)."""

    region: str
    cidr: str = "10.0.0.0/16"
    nat_per_zone: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


def subnet_cidrs(cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """(public, private) /20 blocks: public from the bottom of the range, private from the middle,
    so either side can grow to eight zones without renumbering."""
    blocks = list(ipaddress.ip_network(cidr).subnets(new_prefix=20))
    half = len(blocks) // 2
    return [str(b) for b in blocks[:zones]], [str(b) for b in blocks[half : half + zones]]


class Network(Component):
    """`vpc_id`, `public_subnet_ids`, `private_subnet_ids`, `service_security_group_id`."""

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:Network", name, transform, opts)
        self._name = name
        tags = dict(args.tags)
        zones = aws.get_availability_zones_output(
            state="available", region=args.region, opts=pulumi.InvokeOutputOptions(parent=self)
        ).names
        vpc = self.child(
            aws.ec2.Vpc,
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**tags, "Name": name},
        )
        self.vpc_id: pulumi.Output[str] = vpc.id
        # Adopting the default group with no rules removes the rules AWS created with the VPC.
        self.child(
            aws.ec2.DefaultSecurityGroup,
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={**tags, "Name": f"{name}-default-unused"},
        )
        igw = self.child(
            aws.ec2.InternetGateway, f"{name}-igw", vpc_id=vpc.id, tags={**tags, "Name": name}
        )
        public_rt = self.child(
            aws.ec2.RouteTable,
            f"{name}-public",
            vpc_id=vpc.id,
            tags={**tags, "Name": f"{name}-public"},
        )
        self.child(
            aws.ec2.Route,
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
        )
        public_cidrs, private_cidrs = subnet_cidrs(args.cidr, ZONES)
        public: list[aws.ec2.Subnet] = []
        private: list[aws.ec2.Subnet] = []
        private_tables: list[aws.ec2.RouteTable] = []
        nats: list[aws.ec2.NatGateway] = []
        for i in range(ZONES):
            zone = zones[i]
            subnet = self.child(
                aws.ec2.Subnet,
                f"{name}-public-{i}",
                vpc_id=vpc.id,
                cidr_block=public_cidrs[i],
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{name}-public-{i}", "tier": "public"},
            )
            self.child(
                aws.ec2.RouteTableAssociation,
                f"{name}-public-{i}",
                subnet_id=subnet.id,
                route_table_id=public_rt.id,
            )
            public.append(subnet)
            private.append(
                self.child(
                    aws.ec2.Subnet,
                    f"{name}-private-{i}",
                    vpc_id=vpc.id,
                    cidr_block=private_cidrs[i],
                    availability_zone=zone,
                    map_public_ip_on_launch=False,
                    tags={**tags, "Name": f"{name}-private-{i}", "tier": "private"},
                )
            )
            if i == 0 or args.nat_per_zone:
                eip = self.child(
                    aws.ec2.Eip, f"{name}-nat-{i}", domain="vpc", tags={**tags, "Name": name}
                )
                nats.append(
                    self.child(
                        aws.ec2.NatGateway,
                        f"{name}-nat-{i}",
                        allocation_id=eip.allocation_id,
                        subnet_id=subnet.id,
                        tags={**tags, "Name": f"{name}-nat-{i}"},
                        opts=pulumi.ResourceOptions(depends_on=[igw]),
                    )
                )
        for i, subnet in enumerate(private):
            nat = nats[i] if args.nat_per_zone else nats[0]
            rt = self.child(
                aws.ec2.RouteTable,
                f"{name}-private-{i}",
                vpc_id=vpc.id,
                tags={**tags, "Name": f"{name}-private-{i}"},
            )
            private_tables.append(rt)
            self.child(
                aws.ec2.Route,
                f"{name}-private-{i}-default",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
            )
            self.child(
                aws.ec2.RouteTableAssociation,
                f"{name}-private-{i}",
                subnet_id=subnet.id,
                route_table_id=rt.id,
            )
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.private_route_table_ids = [t.id for t in private_tables]

        service_sg = self.child(
            aws.ec2.SecurityGroup,
            f"{name}-service",
            vpc_id=vpc.id,
            description="trudeploy service tasks: web, worker, beat, release",
            tags={**tags, "Name": f"{name}-service"},
        )
        self.service_security_group_id: pulumi.Output[str] = service_sg.id
        self._tags = tags
        # Tasks pull images, read secrets and write logs and objects over HTTPS (via NAT).
        self.child(
            aws.vpc.SecurityGroupEgressRule,
            f"{name}-service-https-out",
            security_group_id=service_sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            description="AWS APIs, ECR, S3 and error reporting over HTTPS",
            tags=tags,
        )
        self.done(
            {
                "vpc_id": vpc.id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "service_security_group_id": service_sg.id,
            }
        )

    def allow_internet_egress(self, what: str, port: int) -> None:
        """Let the tasks reach a backing service outside the VPC (provider override `external`)
        on its standard port; its URL carries TLS and credentials (D1)."""
        self.child(
            aws.vpc.SecurityGroupEgressRule,
            f"{self._name}-service-{what}-out",
            security_group_id=self.service_security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4="0.0.0.0/0",
            description=f"external {what}",
            tags=self._tags,
        )


def private_group(
    owner: Component,
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    service_security_group_id: pulumi.Input[str],
    port: int,
    description: str,
    tags: Mapping[str, str],
) -> aws.ec2.SecurityGroup:
    """A security group for a stateful resource that admits the service's group on `port` and
    nothing else (no CIDR rule, so never 0.0.0.0/0), plus the service's matching egress rule.
    Declared as children of `owner`, the component that uses the group."""
    group = owner.child(
        aws.ec2.SecurityGroup,
        name,
        vpc_id=vpc_id,
        description=description,
        tags={**tags, "Name": name},
    )
    owner.child(
        aws.vpc.SecurityGroupIngressRule,
        f"{name}-from-service",
        security_group_id=group.id,
        referenced_security_group_id=service_security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description="from the service tasks only",
        tags=dict(tags),
    )
    owner.child(
        aws.vpc.SecurityGroupEgressRule,
        f"{name}-service-out",
        security_group_id=service_security_group_id,
        referenced_security_group_id=group.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=f"service tasks to {description}",
        tags=dict(tags),
    )
    return group
