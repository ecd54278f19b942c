"""The Application Load Balancer in front of web: HTTP, or HTTPS with an ACM certificate when the
stack has a domain (HTTP then only redirects). Declared before the service so the app's
ALLOWED_HOSTS / CORS / CSRF settings can name it (contract `Ingress`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.base import Component
from components.contract import ChildTransform, HealthSpec, Ingress

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
    tags: Mapping[str, str] = field(default_factory=dict)


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
            tags=tags,
        )
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
        self.certificate_validation: pulumi.Output | None = None
        if domain is not None:
            cert = self.child(
                aws.acm.Certificate,
                f"{name}-cert",
                domain_name=domain,
                validation_method="DNS",
                tags=tags,
            )
            # Waits until the DNS record in `certificate_validation` exists (see README).
            validated = self.child(
                aws.acm.CertificateValidation, f"{name}-cert-validation", certificate_arn=cert.arn
            )
            self.certificate_validation = cert.domain_validation_options
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
        self.ingress = Ingress(
            hosts=hosts,
            base_url=base_url,
            trusted_proxies=1,
            idle_timeout_seconds=IDLE_TIMEOUT_SECONDS,
        )
        self.done({"dns_name": alb.dns_name, "base_url": base_url, "hosts": hosts})
