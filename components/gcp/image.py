"""The app image in Artifact Registry: a private Docker repository, and the image built from the
repository's Dockerfile and pushed there (or a prebuilt reference, used as given).

Processes run the pushed image by digest, so a rebuild that changes the image yields a new
revision (and a new release run, service.py), and one that does not changes nothing. The push
authenticates with the deployer's own gcloud token (`oauth2accesstoken`), never a key file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from components.base import Component
from components.contract import ChildTransform, ImageSpec
from components.gcp.common import labels, resource_id
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(artifactregistry=("repository",), organizations=("get_client_config",))

KEEP_IMAGES = 30
DELETE_AFTER = "2592000s"
"""Image versions older than 30 days are deleted unless among the KEEP_IMAGES newest. A keep
policy alone deletes nothing: it only exempts versions from a delete policy
(https://cloud.google.com/artifact-registry/docs/repositories/cleanup-policy-overview)."""


@dataclass(frozen=True)
class ImageArgs:
    """`repository` names the Artifact Registry repository; `tag` the pushed tag."""

    spec: ImageSpec
    repository: str
    region: str
    project: str
    tag: str
    tags: Mapping[str, str] = field(default_factory=dict)


class RegistryImage(Component):
    """`ref`: what every process runs."""

    def __init__(
        self,
        name: str,
        args: ImageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:Image", name, transform, opts)
        spec = args.spec
        if spec.image is not None:
            self.ref: pulumi.Output[str] = pulumi.Output.from_input(spec.image)
            self.done({"ref": self.ref})
            return
        repo_id = resource_id(args.repository, 63)
        repo = self.child(
            gcp.artifactregistry.Repository,
            f"{name}-repo",
            repository_id=repo_id,
            location=args.region,
            format="DOCKER",
            description="trudeploy app images",
            cleanup_policies=[
                {
                    "id": "delete-old",
                    "action": "DELETE",
                    "condition": {"tag_state": "ANY", "older_than": DELETE_AFTER},
                },
                {
                    "id": "keep-recent",
                    "action": "KEEP",
                    "most_recent_versions": {"keep_count": KEEP_IMAGES},
                },
            ],
            labels=labels(args.tags),
        )
        registry = f"{args.region}-docker.pkg.dev/{args.project}/{repo_id}"
        token = gcp.organizations.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        )
        built = self.child(
            docker.Image,
            f"{name}-build",
            image_name=f"{registry}/app:{args.tag}",
            build=docker.DockerBuildArgs(
                context=str(spec.context),
                dockerfile=str(spec.dockerfile),
                platform="linux/amd64",
            ),
            registry=docker.RegistryArgs(
                server=f"{args.region}-docker.pkg.dev",
                username="oauth2accesstoken",
                password=pulumi.Output.secret(token.access_token),
            ),
            opts=pulumi.ResourceOptions(depends_on=[repo]),
        )
        self.ref = built.repo_digest
        self.done({"ref": self.ref, "registry": registry})
