"""Pulumi mock runtime pieces that simulate the cloud and record every registration.

`SimulatedCloud` (the `pulumi.runtime.Mocks`) answers each resource with deterministic computed
outputs from the target's rules. `RecordingMonitor` wraps Pulumi's own `MockMonitor` so it can see
what the mock API hides from `Mocks.new_resource`: the parent, and the dependencies the SDK
computed (`depends_on` plus the resources whose outputs feed each input).

Secrets: the SDK serialises a secret input as a value wrapped in Pulumi's secret signature, at the
place it occurs: one secret item of a list is wrapped alone. Pulumi's own deserialiser pushes that
secretness up to the enclosing list or map, which would mask a container's plain env values along
with its secret ones; the recorder reads the inputs a second time keeping each wrapper where it was
sent (`keep_secrets_in_place`), masks exactly the wrapped values, and remembers their plaintext in
`secret_values`, so a test can scan the plan for leaks; the plaintext is never put into the plan.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from components.constraints import ConstraintBook, Constraints
from components.simulated import SimArgs, SimRule
from core.plan import MASK, PlanResource

_ENV_ITEM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=")


def keep_secrets_in_place(value: Any) -> Any:
    """`value` (a protobuf Struct, list or scalar from a registration) as Python values, with each
    secret wrapper where the SDK put it. Unlike `rpc.deserialize_property`, a list or map with one
    secret item stays a plain list or map holding one wrapped item. Special objects (secrets,
    assets, archives, resource references) are deserialised by Pulumi itself."""
    if isinstance(value, struct_pb2.Struct):
        if rpc._special_sig_key in value:
            return rpc.deserialize_properties(value)
        items = {k: keep_secrets_in_place(v) for k, v in value.items()}
        return {k: v for k, v in items.items() if v is not None}
    if isinstance(value, struct_pb2.ListValue):
        return [keep_secrets_in_place(v) for v in value]
    return rpc.deserialize_property(value)


def unwrap(value: Any, found: set[str]) -> Any:
    """Plain value with secret wrappers removed. A secret that wraps a single string goes into
    `found`; a secret list or map is not collected item by item: where Pulumi's deserialiser
    pushed one item's secretness up to its container, its plain items would look secret."""
    if rpc.is_rpc_secret(value):
        inner = rpc.unwrap_rpc_secret(value)
        if isinstance(inner, str) and inner:
            found.add(inner)
        return unwrap(inner, found)
    if isinstance(value, dict):
        return {k: unwrap(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v, found) for v in value]
    return value


def mask(value: Any, repo_root: str, secret: bool = False) -> Any:
    """JSON-able copy of `value` with secrets masked. A secret `KEY=value` string keeps its KEY so
    a plan still shows which env keys a container gets without showing any value."""
    if rpc.is_rpc_secret(value):
        return mask(rpc.unwrap_rpc_secret(value), repo_root, True)
    if isinstance(value, dict):
        return {k: mask(v, repo_root, secret) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [mask(v, repo_root, secret) for v in value]
    if secret:
        if isinstance(value, str) and (m := _ENV_ITEM.match(value)):
            return f"{m.group(1)}={MASK}"
        return MASK
    if isinstance(value, str):
        return value.replace(repo_root, "${repo}")
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles; show 5432, not 5432.0
    if isinstance(value, pulumi.Resource):
        return "<resource reference>"
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return f"<{type(value).__name__}>"
    return value


class SimulatedCloud(pulumi_mocks.Mocks):
    """Checks each registration against the provider's input constraints, then fills computed
    outputs from the target's rules; ids are derived from the URN."""

    def __init__(
        self,
        rules: Mapping[str, SimRule],
        project: str,
        stack: str,
        config: Mapping[str, str] | None = None,
        constraints: Mapping[str, Constraints] | None = None,
    ) -> None:
        self.rules = dict(rules)
        self.book = ConstraintBook(dict(constraints or {}))
        self.config = dict(config or {})
        self.project = project
        self.stack = stack
        self.secret_values: set[str] = set()
        self.unsimulated: set[str] = set()
        self.current_urn = ""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return "", {}
        plain = unwrap(args.inputs, self.secret_values)
        rule = self.rules.get(args.typ)
        computed: dict[str, Any] = {}
        sim = SimArgs(
            args.typ, args.name, self.current_urn, plain, self.stack, self.project, self.config
        )
        # What the provider would refuse is recorded, not raised: the engine would fail this
        # registration, and the runner fails the plan listing every such input at once.
        self.book.apply(sim, self.secret_values)
        if rule is None:
            self.unsimulated.add(args.typ)
        else:
            computed = dict(rule(sim))
        unwrap(computed, self.secret_values)
        resource_id = computed.pop("id", None) or f"sim-{sim.digest(length=16)}"
        return resource_id, {**args.inputs, **computed}

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        rule = self.rules.get(args.token)
        if rule is None:
            self.unsimulated.add(args.token)
            return {}, []
        digest = hashlib.sha256(args.token.encode()).hexdigest()
        sim = SimArgs(
            args.token, args.token, digest, dict(args.args), self.stack, self.project, self.config
        )
        result = dict(rule(sim))
        unwrap(result, self.secret_values)
        # An empty failure list, not None: the mock monitor iterates it.
        return result, []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's MockMonitor, plus a record of each registration as a PlanResource."""

    def __init__(self, cloud: SimulatedCloud, repo_root: str) -> None:
        super().__init__(cloud)
        self.cloud = cloud
        self.repo_root = repo_root
        self.records: dict[str, PlanResource] = {}
        self._lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            self._record(request, urn, "", {}, {})
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        inputs = rpc.deserialize_properties(request.object)
        sent = keep_secrets_in_place(request.object)
        with self._lock:
            unwrap(sent, self.cloud.secret_values)
            self.cloud.current_urn = urn
            resource_id, state = self.cloud.new_resource(
                pulumi_mocks.MockResourceArgs(
                    typ=request.type,
                    name=request.name,
                    inputs=inputs,
                    provider=request.provider,
                    resource_id=request.importId,
                    custom=request.custom or False,
                )
            )
        obj = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, resource_id, state)
        computed = {k: v for k, v in state.items() if k not in inputs}
        self._record(request, urn, resource_id, sent, computed)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=obj)

    def _record(
        self, request: Any, urn: str, resource_id: str | None, inputs: dict, computed: dict
    ) -> None:
        prop_deps = {
            key: sorted(set(deps.urns))
            for key, deps in sorted(request.propertyDependencies.items())
            if deps.urns
        }
        record = PlanResource(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            protect=bool(request.protect),
            id=resource_id or None,
            inputs=mask(inputs, self.repo_root),
            outputs=mask(computed, self.repo_root),
            dependencies=sorted(set(request.dependencies)),
            property_dependencies=prop_deps,
        )
        with self._lock:
            self.records[urn] = record
