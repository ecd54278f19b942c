"""Provider override `external`: a backing service that exists outside this stack.

Its URL comes from a stack secret (`trudeploy:postgresUrl`, `trudeploy:redisUrl`) and is turned into
the same contract outputs a target would return, so the rest of the program cannot tell the
difference. Parts derived from the secret URL stay secret.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pulumi

from components.contract import PostgresOutputs, RedisOutputs


def external_postgres(url: pulumi.Output[str]) -> PostgresOutputs:
    """Contract outputs for a PostgreSQL the operator brings (its URL is a secret)."""
    parts = url.apply(urlsplit)
    return PostgresOutputs(
        url=pulumi.Output.secret(url),
        host=parts.apply(lambda p: p.hostname or ""),
        port=parts.apply(lambda p: p.port or 5432),
        database=parts.apply(lambda p: p.path.lstrip("/")),
    )


def external_redis(url: pulumi.Output[str]) -> RedisOutputs:
    """Contract outputs for a Redis the operator brings (its URL is a secret)."""
    return RedisOutputs(url=pulumi.Output.secret(url))
