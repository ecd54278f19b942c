"""The two roles every ECS task gets, each allowed only what it needs.

- execution role (used by ECS to start the task): pull this stack's image, write to this stack's
  log group, read this stack's one app secret;
- task role (what the app's code runs as): the media bucket and its objects, nothing else (D5).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws.common import assume_role_policy
from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform

aws = pulumi_aws(iam=("role", "role_policy"))

TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"


@dataclass(frozen=True)
class TaskRolesArgs:
    """The ARNs the roles are scoped to; `repository_arn` is None for a prebuilt image."""

    bucket_arn: pulumi.Input[str]
    secret_arn: pulumi.Input[str]
    log_group_arn: pulumi.Input[str]
    repository_arn: pulumi.Input[str] | None
    tags: Mapping[str, str] = field(default_factory=dict)


def execution_policy(secret_arn: str, log_group_arn: str, repository_arn: str | None) -> str:
    """What ECS needs to start a task of this stack."""
    statements: list[dict[str, object]] = [
        {
            "Sid": "ReadAppSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [secret_arn],
        },
        {
            "Sid": "WriteLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"{log_group_arn}:*"],
        },
    ]
    if repository_arn is not None:
        statements += [
            {
                # ECR issues registry tokens account-wide; the token alone reads nothing.
                "Sid": "RegistryToken",
                "Effect": "Allow",
                "Action": ["ecr:GetAuthorizationToken"],
                "Resource": ["*"],
            },
            {
                "Sid": "PullAppImage",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": [repository_arn],
            },
        ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def bucket_policy(bucket_arn: str) -> str:
    """What the app may do in object storage: list its bucket, read and write its objects."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListMediaBucket",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                    "Resource": [bucket_arn],
                },
                {
                    "Sid": "MediaObjects",
                    "Effect": "Allow",
                    "Action": [
                        "s3:GetObject",
                        "s3:PutObject",
                        "s3:DeleteObject",
                        "s3:AbortMultipartUpload",
                    ],
                    "Resource": [f"{bucket_arn}/*"],
                },
            ],
        }
    )


class TaskRoles(Component):
    """`execution_role_arn`, `task_role_arn`, and `policies` (services wait for them, so no task
    starts before it may read its secret and bucket)."""

    def __init__(
        self,
        name: str,
        args: TaskRolesArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:TaskRoles", name, transform, opts)
        tags = dict(args.tags)
        execution = self.child(
            aws.iam.Role,
            f"{name}-execution",
            assume_role_policy=assume_role_policy(TASKS_PRINCIPAL),
            description="ECS starts this stack's tasks: image, logs, app secret",
            tags=tags,
        )
        repo = args.repository_arn
        exec_doc = pulumi.Output.all(args.secret_arn, args.log_group_arn, repo).apply(
            lambda v: execution_policy(v[0], v[1], v[2])
        )
        exec_policy = self.child(
            aws.iam.RolePolicy,
            f"{name}-execution",
            role=execution.name,
            policy=exec_doc,
        )
        task = self.child(
            aws.iam.Role,
            f"{name}-task",
            assume_role_policy=assume_role_policy(TASKS_PRINCIPAL),
            description="the app's own identity: its media bucket only",
            tags=tags,
        )
        task_policy = self.child(
            aws.iam.RolePolicy,
            f"{name}-task-bucket",
            role=task.name,
            policy=pulumi.Output.from_input(args.bucket_arn).apply(bucket_policy),
        )
        self.execution_role_arn: pulumi.Output[str] = execution.arn
        self.task_role_arn: pulumi.Output[str] = task.arn
        self.policies: list[pulumi.Resource] = [exec_policy, task_policy]
        self.done({"execution_role_arn": execution.arn, "task_role_arn": task.arn})
