"""The service on Render: one env group, a web service, a worker and the one beat.

- Environment (W1, S2): one env group holds the contract's env; its plain keys are declared with
  the group, each secret key as its own `EnvGroupEnvVar` whose value is a Pulumi secret (so a plan
  still shows which keys exist while every value stays encrypted). The group is linked to each
  service; nothing is set per service.
- web: a Render web service on the profile's plan and instance count, health check on the readiness
  path (W4), the release step as its pre-deploy command: Render runs it on separate compute after
  the build and before the new version takes traffic, once per deploy, and cancels the deploy when
  it fails (W3, W6). Autoscaling (CPU and memory targets) in production when the profile allows
  more web instances than it starts with; Render offers it on Pro workspaces.
- worker: a background worker with the profile's instance count (none when it is 0).
- beat: a background worker with exactly one instance and no autoscaling (W3).
- Deploys: Render deploys a service when it is created, before the env group can be linked; each
  service therefore gets a `Deploy` after its link, and worker and beat deploy after web's deploy,
  so they never run code whose migrations the release step has not applied.
- Custom domain on web when the stack has one; Render's onrender.com subdomain is then disabled,
  so the service answers on its domain only (O6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_render as render

from components.base import Component
from components.contract import AppEnv, ChildTransform, ProcessSpec, ServiceSpec
from components.render.common import service_plan
from components.render.image import AppSource

CPU_TARGET_PERCENT = 70
MEMORY_TARGET_PERCENT = 80
SHUTDOWN_DELAY_SECONDS = 30
"""Render's default drain time before SIGKILL; gunicorn's graceful_timeout (20 s) fits in it."""


@dataclass(frozen=True)
class ServiceArgs:
    """The spec, its environment, where the image comes from, and where it runs."""

    spec: ServiceSpec
    env: AppEnv
    source: AppSource
    owner_id: str
    region: str
    autoscale: bool


def command(process: ProcessSpec) -> str:
    """The process's Docker command (the image's CMD: `docker-entrypoint.sh <name>`)."""
    return " ".join(process.command)


class RenderService(Component):
    """`services` (process name -> Render service), `deploys`, `env_group`, and `url`."""

    def __init__(
        self,
        name: str,
        args: ServiceArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:Service", name, transform, opts)
        spec = args.spec
        self.env_group = self.child(
            render.env_groups.EnvGroup,
            f"{name}-env",
            name=f"{spec.name}-env",
            owner_id=args.owner_id,
            env_vars=[{"key": k, "value": v} for k, v in sorted(args.env.plain.items())],
        )
        secrets = [
            self.child(
                render.env_groups.EnvGroupEnvVar,
                f"{name}-env-{key.lower().replace('_', '-')}",
                env_group_id=self.env_group.id,
                env_var_key=key,
                value=value,
            )
            for key, value in sorted(args.env.secret.items())
        ]
        self.services: dict[str, pulumi.CustomResource] = {}
        self.deploys: dict[str, render.services.Deploy] = {}
        web = self._web(name, args)
        self._deploy(name, "web", web, secrets, [], args)
        for process in ("worker", "beat"):
            spec_p = spec.processes[process]
            if spec_p.replicas < 1:
                continue
            worker = self._worker(name, process, spec_p, args)
            self._deploy(name, process, worker, secrets, [self.deploys["web"]], args)
        if spec.domain:
            self.child(
                render.services.CustomDomain,
                f"{name}-domain",
                name=spec.domain,
                service_id=web.id,
            )
            base = pulumi.Output.from_input(f"https://{spec.domain}")
        else:
            base = pulumi.Output.format("https://{0}.onrender.com", web.slug)
        # The URL serves the new version once web's deploy is live.
        self.url: pulumi.Output[str] = pulumi.Output.all(base, self.deploys["web"].id).apply(
            lambda v: str(v[0])
        )
        self.done({"url": self.url})

    def _common(self, args: ServiceArgs, process: ProcessSpec) -> dict[str, Any]:
        return {
            "runtime": args.source.runtime,
            "env_specific_details": args.source.details(command(process)),
            "plan": service_plan(process.cpu, process.memory_mb),
            "region": args.region,
            "max_shutdown_delay_seconds": SHUTDOWN_DELAY_SECONDS,
        }

    def _web(self, name: str, args: ServiceArgs) -> render.services.WebService:
        spec = args.spec
        web = spec.processes["web"]
        details: dict[str, Any] = {
            **self._common(args, web),
            "health_check_path": spec.health.ready_path,
            "num_instances": web.replicas,
            "pre_deploy_command": command(spec.processes["release"]),
            "render_subdomain_policy": "disabled" if spec.domain else "enabled",
        }
        if args.autoscale and spec.max_web_replicas > web.replicas:
            details["autoscaling"] = {
                "enabled": True,
                "min": web.replicas,
                "max": spec.max_web_replicas,
                "criteria": {
                    "cpu": {"enabled": True, "percentage": CPU_TARGET_PERCENT},
                    "memory": {"enabled": True, "percentage": MEMORY_TARGET_PERCENT},
                },
            }
        service = self.child(
            render.services.WebService,
            f"{name}-web",
            name=f"{spec.name}-web",
            owner_id=args.owner_id,
            service_details=details,
            **args.source.source,
        )
        self.services["web"] = service
        return service

    def _worker(
        self, name: str, process: str, spec: ProcessSpec, args: ServiceArgs
    ) -> render.services.BackgroundWorker:
        # beat: exactly one instance, never autoscaled (two beats would send every task twice).
        replicas = 1 if process == "beat" else spec.replicas
        service = self.child(
            render.services.BackgroundWorker,
            f"{name}-{process}",
            name=f"{args.spec.name}-{process}",
            owner_id=args.owner_id,
            service_details={**self._common(args, spec), "num_instances": replicas},
            **args.source.source,
        )
        self.services[process] = service
        return service

    def _deploy(
        self,
        name: str,
        process: str,
        service: pulumi.CustomResource,
        secrets: list[render.env_groups.EnvGroupEnvVar],
        after: list[pulumi.Resource],
        args: ServiceArgs,
    ) -> None:
        link = self.child(
            render.env_groups.LinkServiceToEnvGroup,
            f"{name}-{process}-env-link",
            env_group_id=self.env_group.id,
            service_id=service.id,
            opts=pulumi.ResourceOptions(depends_on=list(secrets)),
        )
        image = args.spec.image.image
        self.deploys[process] = self.child(
            render.services.Deploy,
            f"{name}-{process}-deploy",
            service_id=service.id,
            **({"image_url": image} if args.source.runtime == "image" and image else {}),
            opts=pulumi.ResourceOptions(depends_on=[link, *after]),
        )
