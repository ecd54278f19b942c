"""The app image in the stack's Azure Container Registry.

The registry has no admin user (no shared password): Container Apps pulls as the runtime identity
(AcrPull), and the deployer pushes with its own Entra ID login (`az acr login`, which writes the
Docker credential this build uses), never a registry key. Processes run the pushed image by
digest, so a rebuild that changes the image yields a new revision (and a new release run), and
one that does not changes nothing. A prebuilt reference is used as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from components.azure.common import tags
from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform, ImageSpec

containerregistry = namespace("containerregistry", "registry")


@dataclass(frozen=True)
class ImageArgs:
    """`registry_name`: 5-50 letters and digits, global; `tag` the pushed tag."""

    spec: ImageSpec
    registry_name: str
    resource_group: pulumi.Input[str]
    location: str
    tag: str
    tags: Mapping[str, str] = field(default_factory=dict)


class RegistryImage(Component):
    """`registry` (identity.py grants AcrPull on it), `server` and `ref`."""

    def __init__(
        self,
        name: str,
        args: ImageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Image", name, transform, opts)
        spec = args.spec
        self.registry = self.child(
            containerregistry.Registry,
            f"{name}-registry",
            registry_name=args.registry_name,
            resource_group_name=args.resource_group,
            location=args.location,
            sku={"name": "Standard"},
            admin_user_enabled=False,
            tags=tags(args.tags),
        )
        self.server: pulumi.Output[str] = self.registry.login_server
        if spec.image is not None:
            self.ref: pulumi.Output[str] = pulumi.Output.from_input(spec.image)
            self.done({"ref": self.ref})
            return
        built = self.child(
            docker.Image,
            f"{name}-build",
            image_name=self.server.apply(lambda server: f"{server}/app:{args.tag}"),
            build=docker.DockerBuildArgs(
                context=str(spec.context),
                dockerfile=str(spec.dockerfile),
                platform="linux/amd64",
            ),
            opts=pulumi.ResourceOptions(depends_on=[self.registry]),
        )
        self.ref = built.repo_digest
        self.done({"ref": self.ref, "server": self.server})
