"""Render Key Value (`redis.provider: native`): Valkey/Redis on Render's private network.

Internal only: an empty `ipAllowList` turns external access off, so the instance is reachable just
from services in the same workspace and region (D1); its internal URL needs no TLS because it never
leaves that network. `noeviction`: the service uses Redis as the Celery broker, and an evicted key
is a lost task (https://render.com/docs/key-value#maxmemory-policy).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_render as render

from components.base import Component
from components.contract import ChildTransform, RedisOutputs, RedisSpec
from components.render.common import KEY_VALUE_PLANS

EVICTION_POLICY = "noeviction"


@dataclass(frozen=True)
class RedisArgs:
    """The spec plus the workspace and region."""

    spec: RedisSpec
    owner_id: str
    region: str


class RenderKeyValue(Component):
    """`outputs`: the contract's RedisOutputs (the internal connection string, a secret)."""

    def __init__(
        self,
        name: str,
        args: RedisArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:KeyValue", name, transform, opts)
        spec = args.spec
        store = self.child(
            render.key_value.KeyValue,
            f"{name}-keyvalue",
            name=spec.name,
            owner_id=args.owner_id,
            region=args.region,
            plan=KEY_VALUE_PLANS[spec.size],
            maxmemory_policy=EVICTION_POLICY,
            ip_allow_list=[],
        )
        info = render.key_value.get_key_value_connection_info_output(key_value_id=store.id)
        self.outputs = RedisOutputs(url=pulumi.Output.secret(info.internal_connection_string))
        self.done({"id": store.id})
