"""The app's secret environment in Secret Manager: one secret per key, each readable only by the
runtime service account.

Cloud Run resolves `secret_key_ref` when an instance starts, so the values never appear in a
service, job or worker pool definition, the plan or the console (S1, S2). One secret per key
(not one JSON document) because Cloud Run injects a whole secret version as one variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.base import Component
from components.contract import ChildTransform
from components.gcp.common import labels, resource_id
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(secretmanager=("secret", "secret_iam_member", "secret_version"))


@dataclass(frozen=True)
class SecretStoreArgs:
    """`prefix` starts every secret id; `reader` is the runtime account's IAM member."""

    prefix: str
    values: Mapping[str, pulumi.Output[str]]
    reader: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class SecretStore(Component):
    """`refs`: env key -> (secret id, version) for `secret_key_ref`; `ready`: the resources a
    process must wait for (the versions and the accessor bindings)."""

    def __init__(
        self,
        name: str,
        args: SecretStoreArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:SecretStore", name, transform, opts)
        self.refs: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]] = {}
        self.ready: list[pulumi.Resource] = []
        for key in sorted(args.values):
            logical = f"{name}-{key.lower().replace('_', '-')}"
            secret = self.child(
                gcp.secretmanager.Secret,
                logical,
                secret_id=resource_id(f"{args.prefix}-{key}", 255),
                replication={"auto": {}},
                labels=labels(args.tags),
            )
            version = self.child(
                gcp.secretmanager.SecretVersion,
                f"{logical}-version",
                secret=secret.id,
                secret_data=pulumi.Output.secret(args.values[key]),
            )
            access = self.child(
                gcp.secretmanager.SecretIamMember,
                f"{logical}-reader",
                secret_id=secret.id,
                role="roles/secretmanager.secretAccessor",
                member=args.reader,
            )
            # The version's number, so a new value rolls every process onto it.
            self.refs[key] = (secret.secret_id, version.version)
            self.ready += [version, access]
        self.done({"keys": sorted(args.values)})
