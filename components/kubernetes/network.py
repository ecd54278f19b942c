"""The stack's namespace, its service account, and the NetworkPolicies that fence it.

- One namespace per stack (`<project>-<stack>`), labelled with the stack's tags (O3) and with the
  Pod Security Standards' `restricted` profile enforced, so the API server itself refuses a pod
  that breaks it (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
- One service account for the app's pods, without token automount: the app never talks to the
  Kubernetes API, so its pods carry no credential for it.
- A default-deny ingress policy for every pod in the namespace; each workload then admits exactly
  its clients (`allow`): web from the ingress controller's namespace, PostgreSQL, Redis and MinIO
  from the app's pods (D1, W5). Egress stays open: the app reaches an external object store and
  Sentry, whose addresses a policy cannot name (docs/kubernetes.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_kubernetes.core import v1 as core
from pulumi_kubernetes.networking import v1 as networking

from components.base import Component
from components.contract import ChildTransform
from components.kubernetes.common import labels

POD_SECURITY = "pod-security.kubernetes.io"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the API server on every namespace (Kubernetes 1.22+), so a policy can select a
namespace by name."""


@dataclass(frozen=True)
class NamespaceArgs:
    """The namespace's name and the stack's tags."""

    name: str
    tags: Mapping[str, str] = field(default_factory=dict)


class StackNamespace(Component):
    """`name` (an Output, so every namespaced object depends on the namespace), `account`."""

    def __init__(
        self,
        name: str,
        args: NamespaceArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:kubernetes:Namespace", name, transform, opts)
        ns_labels = labels("namespace", args.tags)
        ns_labels.update({f"{POD_SECURITY}/{m}": "restricted" for m in ("enforce", "warn")})
        self.namespace = self.child(
            core.Namespace, f"{name}-ns", metadata={"name": args.name, "labels": ns_labels}
        )
        self.name: pulumi.Output[str] = self.namespace.metadata.apply(lambda m: m["name"])
        self.account = self.child(
            core.ServiceAccount,
            f"{name}-app-account",
            metadata=self.meta("app", "app", args.tags),
            automount_service_account_token=False,
        )
        self.child(
            networking.NetworkPolicy,
            f"{name}-default-deny",
            metadata=self.meta("default-deny", "network", args.tags),
            spec={"podSelector": {}, "policyTypes": ["Ingress"]},
        )
        self.done({"name": self.name})

    def meta(self, name: str, component: str, tags: Mapping[str, str]) -> dict[str, Any]:
        """Metadata of an object in this namespace."""
        return {"name": name, "namespace": self.name, "labels": labels(component, tags)}


def peer_pods(match: Mapping[str, str]) -> dict[str, Any]:
    """A policy peer: pods in the same namespace with these labels."""
    return {"podSelector": {"matchLabels": dict(match)}}


def peer_namespace(namespace: str, pods: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A policy peer: pods (all, or those with `pods` labels) in the named namespace."""
    peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}}
    if pods:
        peer["podSelector"] = {"matchLabels": dict(pods)}
    return peer


def allow(
    owner: Component,
    prefix: str,
    name: str,
    ns: StackNamespace,
    tags: Mapping[str, str],
    pods: Mapping[str, str],
    rules: Sequence[tuple[Sequence[dict[str, Any]], Sequence[int]]],
) -> networking.NetworkPolicy:
    """A policy (logical name `<prefix>-<name>`) admitting, to the pods labelled `pods`, each
    rule's peers on its TCP ports."""
    ingress = [
        {"from": list(peers), "ports": [{"protocol": "TCP", "port": p} for p in ports]}
        for peers, ports in rules
    ]
    return owner.child(
        networking.NetworkPolicy,
        f"{prefix}-{name}",
        metadata=ns.meta(name, "network", tags),
        spec={
            "podSelector": {"matchLabels": dict(pods)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    )
