"""The service on Container Apps: one environment in the VNet, web, worker and beat as apps.

- The environment (environment.py), declared with the ingress so web's host name is known to
  the app's settings.
- release: an init container of web's revision. Container Apps starts a revision's replicas only
  after their init containers exit 0, and in single-revision mode moves traffic to the new revision
  only once it is ready, so the migrations run before the new web takes traffic (W3); several
  replicas starting at once are serialised by the release command's PostgreSQL advisory lock
  (app/deploy/management/commands/release.py), and a failed migration leaves the revision failed,
  the old one serving. Why not a Container Apps job: a manual job runs only when started
  imperatively (`az containerapp job start`), which no Pulumi resource does or waits for, so the
  deploy could not gate on it (W6).
- web: external HTTPS ingress (HTTP redirected), readiness and liveness probes on the health paths
  (W4), min/max replicas from the profile, an HTTP concurrency scale rule; a custom domain with a
  managed certificate when the stack sets one (O6).
- worker: no ingress, the profile's replica count. beat: no ingress, exactly one replica.

Every app runs as the runtime identity (image pull, Key Vault references) and reads its secrets
through `keyVaultUrl` references, never plain env (S2). Worker and beat wait for web's new
revision to be ready (`released_revision`): pulumi-azure-native does not fail the update of an app
whose revision fails (pulumi-azure-native#2779), so the program fails it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.azure.common import app_size, dashed, tags
from components.azure.environment import PROFILE
from components.azure.sdk import namespace
from components.azure.secrets import secret_name
from components.base import Component
from components.contract import AppEnv, ChildTransform, ProcessSpec, ServiceSpec

app = namespace("app", "container_app", "managed_certificate")


WEB_CONCURRENCY = 8
"""Requests one web replica takes at once: gunicorn's 2 workers x 4 threads
(app/gunicorn.conf.py)."""


@dataclass(frozen=True)
class AppServiceArgs:
    """Everything the service needs from the rest of the stack."""

    spec: ServiceSpec
    env: AppEnv
    image: pulumi.Input[str]
    registry: pulumi.Input[str]
    resource_group: pulumi.Input[str]
    location: str
    environment: app.ManagedEnvironment
    identity_id: pulumi.Input[str]
    secret_uris: Mapping[str, pulumi.Input[str]]
    ready: list[pulumi.Resource]
    tags: Mapping[str, str] = field(default_factory=dict)


def released_revision(web: Any) -> pulumi.Output[str]:
    """Web's latest revision once it is also its latest *ready* one, else the update fails.

    pulumi-azure-native reports a container app updated while its new revision is still
    provisioning or has failed (pulumi-azure-native#2779); the release is that revision's init
    container, so a failed migration would otherwise pass unnoticed (W3, W6). Raising inside the
    apply fails `pulumi up` with this message, and nothing that depends on the output is updated.
    """

    def check(names: list[Any]) -> str:
        latest, ready = names
        if latest != ready:
            raise pulumi.RunError(
                f"web revision {latest!r} is not ready (latest ready: {ready!r}): its release "
                "init container or its probes failed; see `az containerapp revision show "
                f"--revision {latest}` and the revision's logs. Worker and beat were not updated."
            )
        return str(latest)

    return pulumi.Output.all(web.latest_revision_name, web.latest_ready_revision_name).apply(check)


def process_name(spec: ServiceSpec, process: str) -> str:
    """The Container App name of one process (2-32 characters)."""
    return dashed(f"{spec.name}-{process}", 32)


class AppService(Component):
    """`environment`, `apps` by process (web, worker, beat) and web's `fqdn`."""

    def __init__(
        self,
        name: str,
        args: AppServiceArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Service", name, transform, opts)
        self._args = args
        self.environment = args.environment
        self.apps: dict[str, app.ContainerApp] = {}
        self.apps["web"] = self._app("web", args.ready)
        self.released = released_revision(self.apps["web"])
        for process in ("worker", "beat"):
            self.apps[process] = self._app(process, [*args.ready, self.apps["web"]])
        ingress = self.apps["web"].configuration.apply(lambda c: c.ingress if c else None)
        self.fqdn: pulumi.Output[str] = ingress.apply(lambda i: str(i.fqdn) if i else "")
        self.done({"fqdn": self.fqdn})

    def _app(self, process: str, ready: list[pulumi.Resource]) -> app.ContainerApp:
        args, spec = self._args, self._args.spec
        proc = spec.processes[process]  # type: ignore[index]
        web = process == "web"
        replicas = 1 if process == "beat" else proc.replicas
        configuration: dict[str, Any] = {
            "active_revisions_mode": "Single",
            "registries": [{"server": args.registry, "identity": args.identity_id}],
            "secrets": [
                {"name": secret_name(key), "key_vault_url": uri, "identity": args.identity_id}
                for key, uri in sorted(args.secret_uris.items())
            ],
        }
        template: dict[str, Any] = {
            "containers": [self._container(proc, http=web)],
            "scale": {
                "min_replicas": replicas,
                "max_replicas": max(spec.max_web_replicas, replicas) if web else replicas,
            },
        }
        if web:
            configuration["ingress"] = {
                "external": True,
                "target_port": spec.port,
                "transport": "auto",
                "allow_insecure": False,
                "custom_domains": self._domains(),
            }
            template["init_containers"] = [self._container(spec.processes["release"])]
            template["scale"]["rules"] = [
                {"name": "http", "http": {"metadata": {"concurrentRequests": str(WEB_CONCURRENCY)}}}
            ]
        return self.child(
            app.ContainerApp,
            f"{self._args.spec.name}-{process}",
            container_app_name=process_name(spec, process),
            resource_group_name=args.resource_group,
            location=args.location,
            managed_environment_id=self.environment.id,
            workload_profile_name=PROFILE,
            identity={"type": "UserAssigned", "user_assigned_identities": [args.identity_id]},
            configuration=configuration,
            template=template,
            tags=tags(args.tags) if web else self._gated_tags(),
            opts=pulumi.ResourceOptions(depends_on=ready),
        )

    def _gated_tags(self) -> pulumi.Output[dict[str, str]]:
        """Worker's and beat's tags carry web's ready revision, so they are not updated (new code)
        until the release in that revision has run; a failed release fails `pulumi up` first."""
        return self.released.apply(lambda rev: {**tags(self._args.tags), "released-revision": rev})

    def _domains(self) -> list[dict[str, Any]] | None:
        domain = self._args.spec.domain
        if not domain:
            return None
        cert = self.child(
            app.ManagedCertificate,
            f"{self._args.spec.name}-cert",
            environment_name=self.environment.name,
            resource_group_name=self._args.resource_group,
            location=self._args.location,
            properties={"subject_name": domain, "domain_control_validation": "CNAME"},
        )
        return [{"name": domain, "certificate_id": cert.id, "binding_type": "SniEnabled"}]

    def _env(self) -> list[dict[str, Any]]:
        env = self._args.env
        plain = [{"name": key, "value": env.plain[key]} for key in sorted(env.plain)]
        secret = [
            {"name": key, "secret_ref": secret_name(key)} for key in sorted(self._args.secret_uris)
        ]
        return plain + secret

    def _container(self, process: ProcessSpec, http: bool = False) -> dict[str, Any]:
        cpu, memory = app_size(process.cpu, process.memory_mb)
        container: dict[str, Any] = {
            "name": process.name,
            "image": self._args.image,
            "args": list(process.command),
            "env": self._env(),
            "resources": {"cpu": cpu, "memory": memory},
        }
        if http:
            spec = self._args.spec
            health = spec.health
            container["probes"] = [
                {
                    "type": kind,
                    "http_get": {"path": path, "port": spec.port},
                    "period_seconds": health.interval_seconds,
                    "timeout_seconds": health.timeout_seconds,
                    "failure_threshold": health.retries,
                    "initial_delay_seconds": health.start_period_seconds,
                }
                for kind, path in (("Readiness", health.ready_path), ("Liveness", health.live_path))
            ]
        return container
