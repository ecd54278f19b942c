"""The app image: built locally from the repository's Dockerfile, or a prebuilt reference."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components.base import Component
from components.contract import ChildTransform, ImageSpec


@dataclass(frozen=True)
class ImageArgs:
    """`tag` names the locally built image."""

    spec: ImageSpec
    tag: str


class AppImage(Component):
    """`docker build` of `app/Dockerfile` into the local daemon (no registry push) for the
    daemon's own platform, or a pull of `app.image`. `ref` is what every process container runs."""

    def __init__(
        self,
        name: str,
        args: ImageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:docker:AppImage", name, transform, opts)
        spec = args.spec
        if spec.image is not None:
            pulled = self.child(docker.RemoteImage, f"{name}-pull", name=spec.image)
            self.ref: pulumi.Output[str] = pulled.image_id
        else:
            built = self.child(
                docker.Image,
                f"{name}-build",
                image_name=args.tag,
                # No platform: the daemon builds for its own, the one these containers run on
                # (a pinned linux/amd64 ran under emulation, or not at all, on an arm64 host).
                build=docker.DockerBuildArgs(
                    context=str(spec.context),
                    dockerfile=str(spec.dockerfile),
                ),
                skip_push=True,
            )
            # For an unpushed build the provider reports the local image id here, so the
            # containers are replaced exactly when the image changes.
            self.ref = built.repo_digest
        self.done({"ref": self.ref})
