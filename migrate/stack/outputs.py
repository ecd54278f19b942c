"""One stack's connection outputs, as `pulumi stack output --json --show-secrets` prints them.

The stack move reads only these keys; every target exports them (components/, stacks/program.py).
A value Pulumi did not reveal (`[secret]`) is refused: the move would otherwise connect with the
placeholder as a password.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrate.stack.errors import StackInputError
from migrate.urls import redact

REQUIRED = ("databaseUrl", "redisUrl", "storageUrl")
#: Optional keys: where the provider's defaults (endpoint, region, credential chain) do not apply.
#: `redisCaCert`: the Redis server's own CA (PEM, Memorystore), trusted alone for that side.
OPTIONAL = (
    "storageEndpoint",
    "storageRegion",
    "storageAccessKeyId",
    "storageSecretAccessKey",
    "redisCaCert",
)
HIDDEN = "[secret]"


@dataclass(frozen=True)
class StackSide:
    """Where one side of the move keeps its data; `label` names it in messages (a file or stack)."""

    label: str
    database_url: str
    redis_url: str
    storage_url: str
    storage_endpoint: str | None = None
    storage_region: str | None = None
    storage_keys: tuple[str, str] | None = None
    redis_ca_cert: str | None = None

    def describe(self) -> dict[str, str | None]:
        """What the journal and report keep of this side: URLs without passwords, no keys."""
        return {
            "database": redact(self.database_url),
            "redis": redact(self.redis_url),
            "storage": self.storage_url,
            "storage_endpoint": self.storage_endpoint,
            "redis_ca_pinned": bool(self.redis_ca_cert),
        }


def read_file(path: Path, option: str) -> dict[str, Any]:
    """The JSON object in `path`; refused with the file named when it is missing or not JSON."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise StackInputError(f"{option} {path}: cannot read it ({exc.strerror})") from None
    try:
        values = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StackInputError(
            f"{option} {path}: not JSON ({exc.msg}, line {exc.lineno}); expected the output of "
            "`pulumi stack output --json --show-secrets`"
        ) from None
    if not isinstance(values, dict):
        raise StackInputError(
            f"{option} {path}: expected a JSON object of stack outputs, "
            f"found {type(values).__name__}"
        )
    return values


def side_from_outputs(values: dict[str, Any], label: str) -> StackSide:
    """The move's view of one stack; every missing or unusable key is named at once."""
    problems = []
    for key in REQUIRED:
        value = values.get(key)
        if value is None or value == "":
            problems.append(f"{label}: output {key!r} is missing (every target exports it)")
        elif not isinstance(value, str):
            problems.append(f"{label}: output {key!r} must be a string, found {value!r}")
    for key in (*REQUIRED, *OPTIONAL):
        if values.get(key) == HIDDEN:
            problems.append(
                f"{label}: output {key!r} is {HIDDEN}; read the outputs with --show-secrets"
            )
        elif key in OPTIONAL and values.get(key) is not None and not isinstance(values[key], str):
            problems.append(f"{label}: output {key!r} must be a string, found {values[key]!r}")
    key_id, secret = values.get("storageAccessKeyId"), values.get("storageSecretAccessKey")
    if bool(key_id) != bool(secret):
        problems.append(
            f"{label}: outputs 'storageAccessKeyId' and 'storageSecretAccessKey' go together; "
            "only one is set"
        )
    ca = values.get("redisCaCert")
    if isinstance(ca, str) and ca and ca != HIDDEN:
        if "-----BEGIN CERTIFICATE-----" not in ca.replace("\\n", "\n"):
            problems.append(f"{label}: output 'redisCaCert' is not a PEM certificate")
        if not str(values.get("redisUrl", "")).startswith("rediss://"):
            problems.append(
                f"{label}: output 'redisCaCert' is set but 'redisUrl' is not rediss:// (TLS)"
            )
    if problems:
        raise StackInputError(problems)
    return StackSide(
        label=label,
        database_url=values["databaseUrl"],
        redis_url=values["redisUrl"],
        storage_url=values["storageUrl"],
        storage_endpoint=values.get("storageEndpoint") or None,
        storage_region=values.get("storageRegion") or None,
        storage_keys=(key_id, secret) if key_id and secret else None,
        redis_ca_cert=ca or None,
    )


def load_side(path: Path, option: str) -> StackSide:
    return side_from_outputs(read_file(path, option), f"{option} {path}")
