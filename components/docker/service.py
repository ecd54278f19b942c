"""The service's four processes as containers of one image: release, web, worker, beat.

Order on `pulumi up`: the release container (`docker-entrypoint.sh release`: migrations) is
attached, so its creation completes only when it has exited; web, worker and beat `depends_on` it,
so no new code takes traffic before the schema is migrated (W3). Beat is one container, always.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from components.base import Component
from components.contract import AppEnv, ChildTransform, HealthSpec, ProcessSpec, ServiceSpec
from components.docker.common import (
    LOG_DRIVER,
    LOG_OPTS,
    PROCESS_LABEL,
    RESTART,
    ROLE_LABEL,
    STOP_GRACE_SECONDS,
    STOP_SIGNAL,
    labels,
    require_exit_zero,
)


@dataclass(frozen=True)
class ServiceArgs:
    """The spec, the app env, the image to run, the networks and the stack's tags."""

    spec: ServiceSpec
    env: AppEnv
    image: pulumi.Input[str]
    backend_network: pulumi.Input[str]
    edge_network: pulumi.Input[str]
    public_host: str
    tags: Mapping[str, str] = field(default_factory=dict)


def web_health(spec: HealthSpec, port: int) -> docker.ContainerHealthcheckArgs:
    """Healthy = alive (live path) and ready (ready path). Python, not curl: the app image is
    only guaranteed to have Python."""
    probe = "import sys, urllib.request as u; " + "; ".join(
        f"u.urlopen('http://127.0.0.1:{port}{path}', timeout={spec.timeout_seconds})"
        for path in (spec.live_path, spec.ready_path)
    )
    return docker.ContainerHealthcheckArgs(
        tests=["CMD", "python", "-c", probe],
        interval=f"{spec.interval_seconds}s",
        timeout=f"{spec.timeout_seconds * 2}s",
        retries=spec.retries,
        start_period=f"{spec.start_period_seconds}s",
    )


def env_list(env: AppEnv) -> list[pulumi.Output[str]]:
    """`KEY=value` strings for Docker, one Output per key: only the items of `env.secret` are
    secret, so `pulumi preview` and the offline plan show the plain values (a wrong host or flag
    is visible) and mask the credentials. Docker has no secret store for plain containers, so S2
    is met by Pulumi's encrypted state only."""
    keys = env.keys()
    return [
        pulumi.Output.concat(key, "=", pulumi.Output.secret(env.secret[key]))
        if key in env.secret
        else pulumi.Output.concat(key, "=", env.plain[key])
        for key in keys
    ]


class DockerService(Component):
    """Release, web (published port), worker and exactly one beat, all from one image."""

    def __init__(
        self,
        name: str,
        args: ServiceArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:docker:Service", name, transform, opts)
        spec = args.spec
        envs = env_list(args.env)
        release = self._container(args, spec.processes["release"], 0, envs, [])
        # Carrying the release's checked exit code into the others' labels means none of them is
        # declared after a failed migration.
        gate = require_exit_zero(release, "release (migrations)")
        self.web = [
            self._container(args, spec.processes["web"], i, envs, [release], gate)
            for i in range(spec.processes["web"].replicas)
        ]
        self.workers = [
            self._container(args, spec.processes["worker"], i, envs, [release], gate)
            for i in range(spec.processes["worker"].replicas)
        ]
        self.beat = self._container(args, spec.processes["beat"], 0, envs, [release], gate)
        first_port = self.web[0].ports.apply(lambda ports: ports[0].external if ports else None)
        self.url: pulumi.Output[str] = first_port.apply(
            lambda port: f"http://{args.public_host}:{port}/"
        )
        self.done({"url": self.url})

    def _container(
        self,
        args: ServiceArgs,
        process: ProcessSpec,
        index: int,
        envs: list[pulumi.Output[str]],
        after: list[pulumi.Resource],
        release_exit: pulumi.Output[str] | None = None,
    ) -> docker.Container:
        spec = args.spec
        suffix = f"{process.name}-{index}" if process.replicas > 1 else process.name
        networks = [docker.ContainerNetworksAdvancedArgs(name=args.backend_network)]
        props: dict[str, object] = {
            "name": f"{spec.name}-{suffix}",
            "image": args.image,
            "command": list(process.command),
            "envs": envs,
            "cpus": f"{process.cpu:g}",
            "memory": process.memory_mb,
            "log_driver": LOG_DRIVER,
            "log_opts": LOG_OPTS,
            "labels": labels(args.tags, **{ROLE_LABEL: "app", PROCESS_LABEL: process.name}),
        }
        if release_exit is not None:
            props["labels"] = [
                *props["labels"],
                docker.ContainerLabelArgs(label="trudeploy.release-exit-code", value=release_exit),
            ]
        if process.long_lived:
            grace = STOP_GRACE_SECONDS[process.name]
            props |= {
                "restart": RESTART,
                "must_run": True,
                "stop_signal": STOP_SIGNAL,
                "stop_timeout": grace,
                "destroy_grace_seconds": grace,
            }
            networks.append(docker.ContainerNetworksAdvancedArgs(name=args.edge_network))
        else:
            # One-shot: attached, so creation returns only once it has exited.
            props |= {"restart": "no", "must_run": False, "attach": True, "logs": True}
        if process.serves_http:
            props |= {
                "ports": [docker.ContainerPortArgs(internal=spec.port, external=spec.port + index)],
                "healthcheck": web_health(spec.health, spec.port),
                "wait": True,
                "wait_timeout": 180,
            }
        else:
            # The image's HEALTHCHECK probes HTTP; worker, beat and release serve none.
            props["healthcheck"] = docker.ContainerHealthcheckArgs(tests=["NONE"])
        props["networks_advanced"] = networks
        return self.child(
            docker.Container,
            f"{spec.name}-{suffix}",
            opts=pulumi.ResourceOptions(depends_on=after),
            **props,
        )
