"""The stack's private networks: `backend` (internal, no route out) and `edge` (for the app)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from components.base import Component
from components.contract import ChildTransform


@dataclass(frozen=True)
class NetworkArgs:
    """`prefix` names the networks; `tags` become labels."""

    prefix: str
    tags: Mapping[str, str] = field(default_factory=dict)


class PrivateNetwork(Component):
    """PostgreSQL, Redis and MinIO sit only on `backend`, an internal network with no published
    ports and no route to the outside (D1); the app's containers join `backend` to reach them
    (W5) and `edge` for egress and the web port."""

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:docker:PrivateNetwork", name, transform, opts)
        net_labels = [
            docker.NetworkLabelArgs(label=f"trudeploy.{k}", value=v)
            for k, v in sorted(args.tags.items())
        ]
        self.backend = self.child(
            docker.Network,
            f"{name}-backend",
            name=f"{args.prefix}-backend",
            driver="bridge",
            internal=True,
            labels=net_labels,
        )
        self.edge = self.child(
            docker.Network,
            f"{name}-edge",
            name=f"{args.prefix}-edge",
            driver="bridge",
            labels=net_labels,
        )
        self.backend_name: pulumi.Output[str] = self.backend.name
        self.edge_name: pulumi.Output[str] = self.edge.name
        self.done({"backend": self.backend_name, "edge": self.edge_name})
