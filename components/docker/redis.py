"""Redis in a container: append-only file on a named volume, password required, health-checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker
import pulumi_random as random

from components.base import Component
from components.contract import ChildTransform, RedisOutputs, RedisSpec
from components.docker.common import (
    health,
    stateful_container,
    volume_labels,
)

SERVER_SCRIPT = (
    'exec docker-entrypoint.sh redis-server --appendonly yes --requirepass "$REDIS_PASSWORD"'
)
"""The image's entrypoint drops root (chowns the data directory to `redis`, then `su-exec redis`)
only when its first argument is `redis-server`. A shell is needed to read the password from the
environment, so the shell hands over to that entrypoint rather than to redis-server directly,
which would keep it running as root. Volumes written by an earlier root redis are chowned by the
same step, so they keep working."""


@dataclass(frozen=True)
class RedisArgs:
    """The spec, the backend network and the stack's tags."""

    spec: RedisSpec
    network: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class RedisContainer(Component):
    """`redis:<version>-alpine` on the backend network only, running as the image's `redis` user.
    The password reaches redis-server through the environment (a secret input), never through
    the container's command."""

    def __init__(
        self,
        name: str,
        args: RedisArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:docker:Redis", name, transform, opts)
        spec = args.spec
        password = self.child(random.RandomPassword, f"{name}-password", length=32, special=False)
        image = self.child(
            docker.RemoteImage,
            f"{name}-image",
            name=f"redis:{spec.version}-alpine",
            keep_locally=True,
        )
        volume = self.child(
            docker.Volume,
            f"{name}-data",
            name=f"{spec.name}-data",
            labels=volume_labels(args.tags),
        )
        self.container = self.child(
            docker.Container,
            f"{name}-container",
            name=spec.name,
            hostname="redis",
            image=image.image_id,
            command=["sh", "-c", SERVER_SCRIPT],
            envs=[
                pulumi.Output.concat(f"{key}=", pulumi.Output.secret(password.result))
                for key in ("REDIS_PASSWORD", "REDISCLI_AUTH")
            ],
            **stateful_container(
                tags=args.tags,
                capability="redis",
                network=args.network,
                alias="redis",
                volume_name=volume.name,
                data_path="/data",
                healthcheck=health("redis-cli ping | grep -q PONG"),
                wait_timeout=60,
            ),
        )
        host = self.container.hostname
        self.outputs = RedisOutputs(
            url=pulumi.Output.secret(
                pulumi.Output.format("redis://:{0}@{1}:6379/0", password.result, host)
            )
        )
        self.done({"url": self.outputs.url})
