"""Render Postgres (`postgres.provider: native`): a managed database on Render's private network.

Render creates the database and its user with a generated password and hands out connection
strings through `getPostgresConnectionInfo`; the service uses the internal one (private network,
region-local). External access stays off (`ipAllowList: []`, D1). HA and the plan follow the
profile; point-in-time recovery and daily backups come with every paid Render Postgres plan, for
the window the workspace plan sets (docs/render.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pulumi
import pulumi_render as render

from components.base import Component
from components.contract import ChildTransform, PostgresOutputs, PostgresSpec
from components.render.common import postgres_plan

PORT = 5432


@dataclass(frozen=True)
class PostgresArgs:
    """The spec plus where it lives: the workspace and the region the services run in."""

    spec: PostgresSpec
    owner_id: str
    region: str


class RenderPostgres(Component):
    """`outputs`: the contract's PostgresOutputs, from the internal connection string."""

    def __init__(
        self,
        name: str,
        args: PostgresArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:Postgres", name, transform, opts)
        spec = args.spec
        database = self.child(
            render.postgres.Postgres,
            f"{name}-database",
            name=spec.name,
            owner_id=args.owner_id,
            region=args.region,
            plan=postgres_plan(spec.size, spec.ha),
            version=str(spec.version),
            database_name=spec.database,
            database_user=spec.username,
            disk_size_gb=spec.storage_gb,
            enable_high_availability=spec.ha,
            ip_allow_list=[],
            opts=pulumi.ResourceOptions(protect=spec.deletion_protection),
        )
        info = render.postgres.get_postgres_connection_info_output(postgres_id=database.id)
        url = pulumi.Output.secret(info.internal_connection_string)
        host = url.apply(lambda u: urlsplit(u).hostname or "")
        self.outputs = PostgresOutputs(
            url=url,
            host=pulumi.Output.unsecret(host),
            port=pulumi.Output.from_input(PORT),
            database=pulumi.Output.from_input(spec.database),
        )
        self.done({"host": self.outputs.host, "port": PORT, "database": spec.database})
