"""Secrets the service needs whatever the target: SECRET_KEY, generated once and kept (S3).

pulumi-random stores the value in state (encrypted, marked secret) and regenerates it only when its
inputs change, so an update never logs everyone out.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

from components.base import Component
from components.contract import ChildTransform


class AppSecrets(Component):
    """`secret_key`: 64 random characters, a Pulumi secret."""

    def __init__(
        self,
        name: str,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:app:Secrets", name, transform, opts)
        key = self.child(random.RandomPassword, f"{name}-secret-key", length=64, special=False)
        self.secret_key: pulumi.Output[str] = pulumi.Output.secret(key.result)
        self.done({"secret_key": self.secret_key})
