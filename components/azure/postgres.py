"""PostgreSQL Flexible Server, VNet-integrated: the server lives in its delegated subnet and
resolves through its private DNS zone, with public access disabled (D1, W5).

TLS is required (`require_secure_transport`, and the URL asks for it: D3); backups kept per
profile, geo-redundant in production; zone-redundant HA in production (a standby in another
zone). The admin password is generated (pulumi-random, S3) and kept in the stack's Key Vault.
In production the server is protected twice: Pulumi's `protect` and an Azure `CanNotDelete`
lock, so neither `pulumi destroy` nor a portal click removes it (O5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_random as random

from components.azure.common import PG_BACKUP_DAYS, PG_SKUS, pg_storage_gb, tags
from components.azure.sdk import namespace
from components.base import Component
from components.contract import ChildTransform, PostgresOutputs, PostgresSpec

authorization = namespace("authorization", "management_lock_by_scope")
dbforpostgresql = namespace("dbforpostgresql", "server", "configuration", "database")


PORT = 5432


@dataclass(frozen=True)
class PostgresArgs:
    """The spec plus where the server lives; `put_secret` keeps the admin password in the vault."""

    spec: PostgresSpec
    server_name: str
    resource_group: pulumi.Input[str]
    location: str
    subnet_id: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    zone_ready: list[pulumi.Resource]
    tags: Mapping[str, str] = field(default_factory=dict)


class FlexiblePostgres(Component):
    """`server`, `password` (the admin's, a secret) and `outputs`."""

    def __init__(
        self,
        name: str,
        args: PostgresArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:azure:Postgres", name, transform, opts)
        spec = args.spec
        sku, tier = PG_SKUS[spec.size]
        # Flexible Server refuses an admin password without characters of three of: upper case,
        # lower case, digits, symbols (https://learn.microsoft.com/azure/postgresql/flexible-server/
        # quickstart-create-server). Without symbols (the password sits in DATABASE_URL), each of
        # the other three is asked for: unconstrained, 1 in ~1,100 passwords has no digit.
        self.password = self.child(
            random.RandomPassword,
            f"{name}-password",
            length=40,
            special=False,
            min_upper=1,
            min_lower=1,
            min_numeric=1,
        )
        self.server = self.child(
            dbforpostgresql.Server,
            f"{name}-server",
            server_name=args.server_name,
            resource_group_name=args.resource_group,
            location=args.location,
            version=str(spec.version),
            sku={"name": sku, "tier": tier},
            storage={
                "storage_size_gb": pg_storage_gb(spec.storage_gb),
                "auto_grow": "Enabled",
            },
            backup={
                "backup_retention_days": min(
                    max(spec.backup_retention_days, PG_BACKUP_DAYS[0]), PG_BACKUP_DAYS[1]
                ),
                "geo_redundant_backup": "Enabled" if spec.ha else "Disabled",
            },
            high_availability={"mode": "ZoneRedundant" if spec.ha else "Disabled"},
            network={
                "delegated_subnet_resource_id": args.subnet_id,
                "private_dns_zone_arm_resource_id": args.zone_id,
                "public_network_access": "Disabled",
            },
            auth_config={"password_auth": "Enabled", "active_directory_auth": "Disabled"},
            administrator_login=spec.username,
            administrator_login_password=self.password.result,
            create_mode="Create",
            tags=tags(args.tags),
            opts=pulumi.ResourceOptions(
                depends_on=list(args.zone_ready), protect=spec.deletion_protection
            ),
        )
        tls = self.child(
            dbforpostgresql.Configuration,
            f"{name}-tls",
            configuration_name="require_secure_transport",
            server_name=self.server.name,
            resource_group_name=args.resource_group,
            value="on",
            source="user-override",
        )
        database = self.child(
            dbforpostgresql.Database,
            f"{name}-db",
            database_name=spec.database,
            server_name=self.server.name,
            resource_group_name=args.resource_group,
            charset="UTF8",
            collation="en_US.utf8",
            opts=pulumi.ResourceOptions(depends_on=[tls]),
        )
        if spec.deletion_protection:
            self.child(
                authorization.ManagementLockByScope,
                f"{name}-lock",
                lock_name=f"{args.server_name}-no-delete",
                scope=self.server.id,
                level="CanNotDelete",
                notes="trudeploy: production database; lift on purpose before destroying",
            )
        host = self.server.fully_qualified_domain_name
        url = pulumi.Output.all(self.password.result, host, database.name).apply(
            lambda v: f"postgresql://{spec.username}:{v[0]}@{v[1]}:{PORT}/{v[2]}?sslmode=require"
        )
        self.outputs = PostgresOutputs(
            url=pulumi.Output.secret(url),
            host=host,
            port=pulumi.Output.from_input(PORT),
            database=pulumi.Output.from_input(spec.database),
        )
        self.done({"host": host, "port": PORT, "database": spec.database, "url": self.outputs.url})
