"""How the public reaches web: Cloud Run's own `run.app` URL, or, when `trudeploy:domain` is set,
a global external Application Load Balancer with a Google-managed certificate in front of a
serverless NEG (and web then accepts traffic only from load balancers, service.py).

Proxies in front of web (TRUSTED_PROXY_COUNT): the load balancer appends `<client-ip>,
<load-balancer-ip>` to X-Forwarded-For
(https://cloud.google.com/load-balancing/docs/https#x-forwarded-for_header), so with it the client
is the second address from the right (2); without it Cloud Run's front end appends the client
address only (1). Serverless NEGs take no load-balancer health check
(https://cloud.google.com/load-balancing/docs/negs/serverless-neg-concepts): Cloud Run's own
startup probe on the readiness path gates traffic instead (service.py).

Keep-alive: the connections to the container are held by Cloud Run's own proxy, not by the load
balancer, and Cloud Run documents no idle timeout for them, so the contract's default applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.base import Component
from components.contract import ChildTransform, Ingress
from components.gcp.common import resource_id, versioned_id
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(
    compute=(
        "backend_service",
        "global_address",
        "global_forwarding_rule",
        "managed_ssl_certificate",
        "region_network_endpoint_group",
        "target_http_proxy",
        "target_https_proxy",
        "url_map",
    ),
    organizations=("get_project",),
)


@dataclass(frozen=True)
class LoadBalancerArgs:
    """`service_name` is web's Cloud Run service (known before it is declared)."""

    service_name: str
    region: str
    project: str
    domain: str | None


class PublicEntry(Component):
    """`ingress` for the contract; `behind_lb` tells the service to refuse direct traffic."""

    def __init__(
        self,
        name: str,
        args: LoadBalancerArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:PublicEntry", name, transform, opts)
        self.behind_lb = args.domain is not None
        self.address: pulumi.Output[str] | None = None
        if args.domain is None:
            project = gcp.organizations.get_project_output(
                project_id=args.project, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            host = project.number.apply(lambda n: f"{args.service_name}-{n}.{args.region}.run.app")
            self.ingress = Ingress(
                hosts=host.apply(lambda h: [h]),
                base_url=host.apply(lambda h: f"https://{h}"),
                trusted_proxies=1,
            )
            self.done({"host": host})
            return
        self._balancer(name, args, args.domain)
        self.ingress = Ingress(
            hosts=pulumi.Output.from_input([args.domain]),
            base_url=pulumi.Output.from_input(f"https://{args.domain}"),
            trusted_proxies=2,
        )
        self.done({"host": args.domain, "address": self.address})

    def _balancer(self, name: str, args: LoadBalancerArgs, domain: str) -> None:
        neg = self.child(
            gcp.compute.RegionNetworkEndpointGroup,
            f"{name}-neg",
            name=resource_id(f"{name}-neg", 63),
            region=args.region,
            network_endpoint_type="SERVERLESS",
            cloud_run={"service": args.service_name},
        )
        backend = self.child(
            gcp.compute.BackendService,
            f"{name}-backend",
            name=resource_id(f"{name}-backend", 63),
            load_balancing_scheme="EXTERNAL_MANAGED",
            protocol="HTTPS",
            backends=[{"group": neg.id}],
            log_config={"enable": True, "sample_rate": 1.0},
        )
        urls = self.child(
            gcp.compute.URLMap,
            f"{name}-urls",
            name=resource_id(f"{name}-urls", 63),
            default_service=backend.id,
        )
        # A managed certificate's domains cannot change in place, and a certificate the HTTPS
        # proxy uses cannot be deleted ("resourceInUseByAnotherResource"): a name per domain
        # lets a domain change create the new certificate, move the proxy, then delete the old.
        cert = self.child(
            gcp.compute.ManagedSslCertificate,
            f"{name}-cert",
            name=versioned_id(f"{name}-cert", domain),
            managed={"domains": [domain]},
        )
        address = self.child(
            gcp.compute.GlobalAddress, f"{name}-ip", name=resource_id(f"{name}-ip", 63)
        )
        https = self.child(
            gcp.compute.TargetHttpsProxy,
            f"{name}-https",
            name=resource_id(f"{name}-https", 63),
            url_map=urls.id,
            ssl_certificates=[cert.id],
        )
        self.child(
            gcp.compute.GlobalForwardingRule,
            f"{name}-https-rule",
            name=resource_id(f"{name}-https", 63),
            target=https.id,
            ip_address=address.address,
            port_range="443",
            load_balancing_scheme="EXTERNAL_MANAGED",
        )
        redirect = self.child(
            gcp.compute.URLMap,
            f"{name}-redirect",
            name=resource_id(f"{name}-redirect", 63),
            default_url_redirect={"https_redirect": True, "strip_query": False},
        )
        http = self.child(
            gcp.compute.TargetHttpProxy,
            f"{name}-http",
            name=resource_id(f"{name}-http", 63),
            url_map=redirect.id,
        )
        self.child(
            gcp.compute.GlobalForwardingRule,
            f"{name}-http-rule",
            name=resource_id(f"{name}-http", 63),
            target=http.id,
            ip_address=address.address,
            port_range="80",
            load_balancing_scheme="EXTERNAL_MANAGED",
        )
        self.address = address.address
