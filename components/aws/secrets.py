"""The app's secret environment in Secrets Manager: one secret whose JSON holds every secret key.

Task definitions name each key (`<arn>:DATABASE_URL::`), so ECS injects the values when a task
starts and they never appear in a task definition, the plan or the console (S1, S2). One secret
rather than one per key keeps the execution role's policy to a single ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform

aws = pulumi_aws(secretsmanager=("secret", "secret_version"))


@dataclass(frozen=True)
class SecretStoreArgs:
    """`recovery_days` 0 deletes at once (a development stack can be rebuilt under the same name);
    protected stacks keep a deleted secret recoverable."""

    values: Mapping[str, pulumi.Output[str]]
    recovery_days: int
    tags: Mapping[str, str] = field(default_factory=dict)


class SecretStore(Component):
    """`arn`, `keys` (sorted) and `version_id` (changes whenever a value does, so task
    definitions that carry it roll the service onto the new values)."""

    def __init__(
        self,
        name: str,
        args: SecretStoreArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:SecretStore", name, transform, opts)
        secret = self.child(
            aws.secretsmanager.Secret,
            f"{name}-env",
            description="trudeploy app environment: secret values, one JSON key each",
            recovery_window_in_days=args.recovery_days,
            tags=dict(args.tags),
        )
        version = self.child(
            aws.secretsmanager.SecretVersion,
            f"{name}-env-version",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(pulumi.Output.json_dumps(dict(args.values))),
        )
        self.arn: pulumi.Output[str] = secret.arn
        self.keys: list[str] = sorted(args.values)
        self.version_id: pulumi.Output[str] = version.version_id
        self.done({"arn": secret.arn, "keys": self.keys})
