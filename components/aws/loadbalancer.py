"""The Application Load Balancer in front of web: HTTP, or HTTPS with an ACM certificate when the
stack has a domain (HTTP then only redirects). Declared before the service so the app's
ALLOWED_HOSTS / CORS / CSRF settings can name it (contract `Ingress`).

With a Route 53 hosted zone (`trudeploy:dnsZone`) the balancer also writes the certificate's DNS
validation record and an alias record for the domain, so the first `pulumi up` finishes unattended.
Without one, `pulumi up` waits at the certificate (up to ACM's 75 minutes) until the operator
creates the records it logs and exports as `dnsRecordsToCreate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws.logbucket import LogDestination
from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform, HealthSpec, Ingress

aws = pulumi_aws(
    acm=("certificate", "certificate_validation"),
    ec2=("security_group",),
    lb=("listener", "load_balancer", "target_group"),
    route53=("get_zone", "record"),
    vpc=("security_group_egress_rule", "security_group_ingress_rule"),
)

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only, forward-secret ciphers."""
IDLE_TIMEOUT_SECONDS = 60
"""The ALB's idle timeout (its default); web's keep-alive is set above it (app_env.py)."""


@dataclass(frozen=True)
class LoadBalancerArgs:
    """Where the balancer lives, what it forwards to, and the optional domain."""

    vpc_id: pulumi.Input[str]
    public_subnet_ids: list[pulumi.Input[str]]
    service_security_group_id: pulumi.Input[str]
    port: int
    health: HealthSpec
    domain: str | None
    deletion_protection: bool
    dns_zone: str | None = None
    """A public Route 53 hosted zone (its domain name) that holds `domain`."""
    access_logs: LogDestination | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def records_to_create(options: list[dict], domain: str, alb_dns: str) -> list[dict[str, str]]:
    """The DNS records an operator creates by hand when the stack manages no zone: the
    certificate's validation CNAME(s) and the domain pointing at the balancer."""
    records = [
        {
            "name": str(o["resource_record_name"]),
            "type": str(o["resource_record_type"]),
            "value": str(o["resource_record_value"]),
            "why": "ACM certificate validation: pulumi up waits until it resolves",
        }
        for o in options
    ]
    records.append(
        {
            "name": domain,
            "type": "CNAME (or an alias A record in Route 53)",
            "value": alb_dns,
            "why": "the service's domain to the load balancer",
        }
    )
    return records


class LoadBalancer(Component):
    """`ingress` (hosts, base URL), `target_group_arn` and `listeners` (the service waits for them:
    ECS refuses a target group that no listener uses)."""

    def __init__(
        self,
        name: str,
        args: LoadBalancerArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:LoadBalancer", name, transform, opts)
        tags = dict(args.tags)
        domain = args.domain
        https = domain is not None
        sg = self.child(
            aws.ec2.SecurityGroup,
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description="load balancer: public HTTP(S)",
            tags={**tags, "Name": f"{name}-sg"},
        )
        for port in (80, 443) if https else (80,):
            self.child(
                aws.vpc.SecurityGroupIngressRule,
                f"{name}-in-{port}",
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4="0.0.0.0/0",
                description="public web traffic",
                tags=tags,
            )
        self.child(
            aws.vpc.SecurityGroupEgressRule,
            f"{name}-to-service",
            security_group_id=sg.id,
            referenced_security_group_id=args.service_security_group_id,
            ip_protocol="tcp",
            from_port=args.port,
            to_port=args.port,
            description="to web tasks",
            tags=tags,
        )
        self.child(
            aws.vpc.SecurityGroupIngressRule,
            f"{name}-service-in",
            security_group_id=args.service_security_group_id,
            referenced_security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=args.port,
            to_port=args.port,
            description="web traffic from the load balancer only",
            tags=tags,
        )
        logs = args.access_logs
        alb = self.child(
            aws.lb.LoadBalancer,
            f"{name}-alb",
            # Named: Pulumi's autoname adds 8 characters, past the 32 AWS allows.
            name=f"{name}-alb",
            load_balancer_type="application",
            internal=False,
            subnets=args.public_subnet_ids,
            security_groups=[sg.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.deletion_protection,
            idle_timeout=IDLE_TIMEOUT_SECONDS,
            access_logs=None
            if logs is None
            else aws.lb.LoadBalancerAccessLogsArgs(
                bucket=logs.bucket, prefix=logs.prefix, enabled=True
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(depends_on=[logs.ready] if logs else None),
        )
        self.arn: pulumi.Output[str] = alb.arn
        health = args.health
        self.target_group = self.child(
            aws.lb.TargetGroup,
            f"{name}-web",
            name=f"{name}-web",  # as the ALB: the autoname would pass 32 characters
            vpc_id=args.vpc_id,
            target_type="ip",
            protocol="HTTP",
            port=args.port,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=health.ready_path,
                protocol="HTTP",
                matcher="200",
                interval=max(health.interval_seconds, 5),
                timeout=health.timeout_seconds,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            tags=tags,
        )
        forward = aws.lb.ListenerDefaultActionArgs(
            type="forward", target_group_arn=self.target_group.arn
        )
        self.listeners: list[aws.lb.Listener] = []
        self.records_to_create: pulumi.Output | None = None
        if domain is not None:
            cert = self.child(
                aws.acm.Certificate,
                f"{name}-cert",
                domain_name=domain,
                validation_method="DNS",
                tags=tags,
            )
            if args.dns_zone is not None:
                validated = self._zone_records(name, args.dns_zone, domain, cert, alb)
            else:
                # Waits (up to 75 minutes) until the operator creates the logged records.
                validated = self.child(
                    aws.acm.CertificateValidation,
                    f"{name}-cert-validation",
                    certificate_arn=cert.arn,
                )
                self.records_to_create = pulumi.Output.all(
                    cert.domain_validation_options, alb.dns_name
                ).apply(lambda v: _announce(records_to_create(v[0], domain, v[1])))
            self.listeners.append(
                self.child(
                    aws.lb.Listener,
                    f"{name}-https",
                    load_balancer_arn=alb.arn,
                    port=443,
                    protocol="HTTPS",
                    ssl_policy=TLS_POLICY,
                    certificate_arn=validated.certificate_arn,
                    default_actions=[forward],
                    tags=tags,
                )
            )
            http_action = aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port="443", status_code="HTTP_301"
                ),
            )
            hosts = pulumi.Output.from_input([domain])
            base_url = pulumi.Output.from_input(f"https://{domain}")
        else:
            http_action = forward
            hosts = alb.dns_name.apply(lambda dns: [dns])
            base_url = pulumi.Output.concat("http://", alb.dns_name)
        self.listeners.append(
            self.child(
                aws.lb.Listener,
                f"{name}-http",
                load_balancer_arn=alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[http_action],
                tags=tags,
            )
        )
        self.dns_name: pulumi.Output[str] = alb.dns_name
        self.zone_id: pulumi.Output[str] = alb.zone_id
        self.ingress = Ingress(
            hosts=hosts,
            base_url=base_url,
            trusted_proxies=1,
            idle_timeout_seconds=IDLE_TIMEOUT_SECONDS,
        )
        self.done({"dns_name": alb.dns_name, "base_url": base_url, "hosts": hosts})

    def _zone_records(
        self,
        name: str,
        zone_name: str,
        domain: str,
        cert: aws.acm.Certificate,
        alb: aws.lb.LoadBalancer,
    ) -> aws.acm.CertificateValidation:
        """The validation CNAME and the domain's alias A record in the stack's hosted zone, and a
        certificate validation that waits only for that record. The certificate names one domain,
        so ACM asks for exactly one validation record (domain_validation_options[0])."""
        zone = aws.route53.get_zone_output(
            name=zone_name, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        option = cert.domain_validation_options[0]
        record = self.child(
            aws.route53.Record,
            f"{name}-cert-record",
            zone_id=zone.zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            # ACM derives the record from the domain and account: a previous stack's is the same.
            allow_overwrite=True,
        )
        # A only: the balancer and its subnets are IPv4 (no AAAA to point at).
        self.child(
            aws.route53.Record,
            f"{name}-alias",
            zone_id=zone.zone_id,
            name=domain,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True
                )
            ],
        )
        return self.child(
            aws.acm.CertificateValidation,
            f"{name}-cert-validation",
            certificate_arn=cert.arn,
            validation_record_fqdns=[record.fqdn],
        )


def _announce(records: list[dict[str, str]]) -> list[dict[str, str]]:
    """Log the records while `pulumi up` waits on the certificate (outputs appear only at the
    end), and return them for the `dnsRecordsToCreate` output."""
    lines = [f"  {r['type']} {r['name']} -> {r['value']} ({r['why']})" for r in records]
    pulumi.log.warn(
        "no trudeploy:dnsZone: create these DNS records (or set a Route 53 zone):\n"
        + "\n".join(lines)
    )
    return records
