"""The app image in ECR: a private repository, and the image built from the repository's
Dockerfile and pushed there (or a prebuilt reference, used as given).

Tasks run the pushed image by digest (`repo@sha256:...`), so a rebuild that changes the image
yields a new task definition revision and a rolling deploy, and a rebuild that does not changes
nothing. pulumi-docker needs a Docker engine only when `pulumi up` builds; importing it and
planning offline do not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from components.aws.common import physical_name
from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform, ImageSpec

aws = pulumi_aws(ecr=("get_authorization_token", "lifecycle_policy", "repository"))

KEEP_IMAGES = 30

_LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"keep the last {KEEP_IMAGES} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": KEEP_IMAGES,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


@dataclass(frozen=True)
class ImageArgs:
    """`repository` names the ECR repository; `tag` the pushed tag."""

    spec: ImageSpec
    repository: str
    tag: str
    force_delete: bool = False
    """Outside production `pulumi destroy` deletes the repository with its images (ECR refuses
    to delete a repository that holds any)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class EcrImage(Component):
    """`ref` (what task definitions run) and `repository_arn` (None for a prebuilt image, whose
    registry this stack does not own)."""

    def __init__(
        self,
        name: str,
        args: ImageArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:Image", name, transform, opts)
        spec = args.spec
        self.repository_arn: pulumi.Output[str] | None = None
        if spec.image is not None:
            self.ref: pulumi.Output[str] = pulumi.Output.from_input(spec.image)
            self.done({"ref": self.ref})
            return
        repo = self.child(
            aws.ecr.Repository,
            f"{name}-repo",
            name=physical_name(args.repository, 256),
            image_tag_mutability="MUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True
            ),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")
            ],
            force_delete=args.force_delete,
            tags=dict(args.tags),
        )
        self.child(
            aws.ecr.LifecyclePolicy, f"{name}-lifecycle", repository=repo.name, policy=_LIFECYCLE
        )
        auth = aws.ecr.get_authorization_token_output(
            registry_id=repo.registry_id, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        built = self.child(
            docker.Image,
            f"{name}-build",
            image_name=pulumi.Output.concat(repo.repository_url, ":", args.tag),
            build=docker.DockerBuildArgs(
                context=str(spec.context),
                dockerfile=str(spec.dockerfile),
                platform="linux/amd64",
            ),
            registry=docker.RegistryArgs(
                server=repo.repository_url,
                username=auth.user_name,
                password=pulumi.Output.secret(auth.password),
            ),
        )
        self.repository_arn = repo.arn
        self.ref = built.repo_digest
        self.done({"ref": self.ref, "repository_url": repo.repository_url})
