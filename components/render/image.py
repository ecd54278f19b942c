"""Where Render gets the app image: a Docker build of the repository, or a prebuilt image.

`app.build` -> Render clones `render.repo` at `render.branch` and builds `app/Dockerfile` itself
(runtime `docker`, auto-deploy on every push). `app.image` -> Render pulls that reference (runtime
`image`), logging in with a RegistryCredential when `render.registry` names one; its token is the
stack secret `trudeploy:registryToken`. Either way every service runs the same image and picks its
process with the Docker command (the image's CMD), as on every target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_render as render

from components.base import Component
from components.contract import ChildTransform, ImageSpec

SECRET_NAMESPACE = "trudeploy"


@dataclass(frozen=True)
class ImageArgs:
    """The spec, the repository root (build paths are relative to it) and the Render settings."""

    spec: ImageSpec
    repo_root: Path
    owner_id: str
    repo: str | None
    branch: str
    registry: Mapping[str, str] | None


def repo_path(path: Path | None, root: Path, default: str) -> str:
    """A build path as Render takes it: relative to the repository root, `./`-prefixed."""
    if path is None:
        return f"./{default}"
    return f"./{path.relative_to(root).as_posix()}"


class AppSource(Component):
    """`source` (the service inputs that say where the image comes from), `runtime`, and
    `details(docker_command)` (the runtime-specific details every service shares)."""

    def __init__(
        self,
        name: str,
        args: ImageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:AppSource", name, transform, opts)
        self._args = args
        self._credential_id: pulumi.Output[str] | None = None
        if args.spec.image is not None:
            self.runtime = "image"
            if args.registry is not None:
                token = pulumi.Config(SECRET_NAMESPACE).require_secret("registryToken")
                credential = self.child(
                    render.registrycredentials.RegistryCredential,
                    f"{name}-registry",
                    name=f"{name}-registry",
                    owner_id=args.owner_id,
                    registry=args.registry["kind"],
                    username=args.registry["username"],
                    auth_token=token,
                )
                self._credential_id = credential.id
            image: dict[str, Any] = {"image_path": args.spec.image, "owner_id": args.owner_id}
            if self._credential_id is not None:
                image["registry_credential_id"] = self._credential_id
            self.source: dict[str, Any] = {"image": image, "auto_deploy": "no"}
        else:
            self.runtime = "docker"
            self.source = {"repo": args.repo, "branch": args.branch, "auto_deploy": "yes"}
        self.done({"runtime": self.runtime})

    def details(self, docker_command: str) -> dict[str, Any]:
        """`envSpecificDetails` for a service running `docker_command` (the image's CMD)."""
        args = self._args
        if self.runtime == "image":
            return {"docker_command": docker_command}
        return {
            "docker_command": docker_command,
            "docker_context": repo_path(args.spec.context, args.repo_root, "app"),
            "dockerfile_path": repo_path(args.spec.dockerfile, args.repo_root, "app/Dockerfile"),
        }
