"""Neon (`postgres.provider: neon`): a Neon project through pulumi-neon, the Neon Pulumi provider
on PyPI.

pulumi-neon 0.0.1b1 has one resource, `Project` (inputs `name` and `org_id`). Creating a project
creates its default branch, role and database, and the resource returns them with a connection
URI; it cannot create a separate branch, role or database, choose the region or the PostgreSQL
version, or set history retention (PITR window). This component therefore uses the project's
defaults and refuses a stack whose `postgres.version` is not the version Neon gives a new project,
rather than deploy a different one silently. docs/render.md weighs the alternatives.

The provider does not mark the role password or the URIs secret; `additional_secret_outputs`
does, so they are encrypted in state (S1). The URI asks for TLS (`sslmode=require`, D3): Neon is
public by design and refuses plaintext connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pulumi
import pulumi_neon as neon

from components.base import Component
from components.contract import ChildTransform, PostgresOutputs, PostgresSpec, TargetNotAvailable

NEON_DEFAULT_VERSION = 17
"""The PostgreSQL major version Neon gives a project created without `pg_version`
(https://neon.com/docs/reference/api/projects/create-project)."""
PORT = 5432
SECRET_OUTPUTS = ["connection_uri", "connection_uri_pooler", "default_role_password"]


@dataclass(frozen=True)
class NeonArgs:
    """The spec; Neon needs nothing else (its API key comes from NEON_API_KEY)."""

    spec: PostgresSpec


def require_tls(url: str) -> str:
    """The URI with `sslmode=require`, keeping any other query parameters."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["sslmode"] = "require"
    return urlunsplit(parts._replace(query=urlencode(query)))


class NeonPostgres(Component):
    """`outputs`: the contract's PostgresOutputs from the project's default database."""

    def __init__(
        self,
        name: str,
        args: NeonArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:render:NeonPostgres", name, transform, opts)
        spec = args.spec
        if spec.version != NEON_DEFAULT_VERSION:
            raise TargetNotAvailable(
                f"postgres.provider neon creates PostgreSQL {NEON_DEFAULT_VERSION} (pulumi-neon "
                f"0.0.1b1 cannot choose the version); set trudeploy:postgres.version to "
                f"{NEON_DEFAULT_VERSION}, or use provider external with a project you created"
            )
        project = self.child(
            neon.resource.Project,
            f"{name}-project",
            name=spec.name,
            opts=pulumi.ResourceOptions(
                additional_secret_outputs=SECRET_OUTPUTS, protect=spec.deletion_protection
            ),
        )
        url = pulumi.Output.secret(project.connection_uri.apply(require_tls))
        self.outputs = PostgresOutputs(
            url=url,
            host=project.default_endpoint_host,
            port=pulumi.Output.from_input(PORT),
            database=project.default_database_name,
        )
        self.done({"host": self.outputs.host, "database": self.outputs.database})
