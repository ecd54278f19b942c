"""PostgreSQL in a container: named volume, generated password (secret), health-checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker
import pulumi_random as random

from components.base import Component
from components.contract import ChildTransform, PostgresOutputs, PostgresSpec
from components.docker.common import (
    health,
    stateful_container,
    volume_labels,
)


@dataclass(frozen=True)
class PostgresArgs:
    """What the container needs besides the spec: the backend network and the stack's tags."""

    spec: PostgresSpec
    network: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class PostgresContainer(Component):
    """`postgres:<version>-alpine` on the backend network only; data on a named volume."""

    def __init__(
        self,
        name: str,
        args: PostgresArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:docker:Postgres", name, transform, opts)
        spec = args.spec
        password = self.child(random.RandomPassword, f"{name}-password", length=32, special=False)
        image = self.child(
            docker.RemoteImage,
            f"{name}-image",
            name=f"postgres:{spec.version}-alpine",
            keep_locally=True,
        )
        volume = self.child(
            docker.Volume,
            f"{name}-data",
            name=f"{spec.name}-data",
            labels=volume_labels(args.tags),
            opts=pulumi.ResourceOptions(protect=spec.deletion_protection),
        )
        envs = [
            f"POSTGRES_USER={spec.username}",
            f"POSTGRES_DB={spec.database}",
            pulumi.Output.concat("POSTGRES_PASSWORD=", pulumi.Output.secret(password.result)),
        ]
        self.container = self.child(
            docker.Container,
            f"{name}-container",
            name=spec.name,
            hostname="postgres",
            image=image.image_id,
            envs=envs,
            **stateful_container(
                tags=args.tags,
                capability="postgres",
                network=args.network,
                alias="postgres",
                volume_name=volume.name,
                data_path="/var/lib/postgresql/data",
                healthcheck=health(f"pg_isready -U {spec.username} -d {spec.database}"),
                wait_timeout=120,
            ),
        )
        host = self.container.hostname
        self.outputs = PostgresOutputs(
            url=pulumi.Output.secret(
                pulumi.Output.format(
                    "postgresql://{0}:{1}@{2}:5432/{3}",
                    spec.username,
                    password.result,
                    host,
                    spec.database,
                )
            ),
            host=host,
            port=pulumi.Output.from_input(5432),
            database=pulumi.Output.from_input(spec.database),
        )
        self.done({"host": host, "port": 5432, "database": spec.database, "url": self.outputs.url})
