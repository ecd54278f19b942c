"""ECS container definitions for the service's processes, as plain data.

Kept apart from the resources so their shape (ports, health checks, secrets, log configuration,
the release gate) is one readable function, and the JSON ECS receives is exactly what it returns.

Release: the web task definition carries a non-essential `release` container running
`docker-entrypoint.sh release` (migrations), and the web container `dependsOn` it with condition
SUCCESS. ECS starts no web container of a new revision before migrations exited 0, so new code never
takes traffic on an old schema; a failing migration fails the new tasks, the deployment circuit
breaker rolls back, and the old web keeps serving (W3). Every new web task runs the step, and the
entrypoint's release command must therefore be idempotent and serialised (Django's migrate is a
no-op once applied).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from components.contract import HealthSpec, ProcessSpec

PROCESS_LABEL = "trudeploy.process"
SECRETS_LABEL = "trudeploy.secrets-version"

SCRATCH_VOLUME = "tmp"
SCRATCH_PATH = "/tmp"
"""The only writable path in a container (root filesystems are read-only): uploads in progress
(Django's temporary upload files), gunicorn's worker heartbeat files (tempfile, so TMPDIR=/tmp),
and beat's schedule (`docker-entrypoint.sh beat` keeps it at /tmp/celerybeat-schedule)."""

STOP_TIMEOUT = {"web": 30, "worker": 120, "beat": 30, "release": 30}
"""Seconds between SIGTERM and SIGKILL: a worker gets Fargate's maximum to finish its task."""


@dataclass(frozen=True)
class ContainerContext:
    """What every container of the stack shares: image, env, secret store and log group."""

    image: str
    environment: Mapping[str, str]
    secret_arn: str
    secret_keys: Sequence[str]
    secrets_version: str
    log_group: str
    region: str


def live_probe(health: HealthSpec, port: int) -> dict[str, Any]:
    """Container health = the live path (a dead process is replaced). Readiness is the load
    balancer's check, so a database outage takes tasks out of rotation instead of killing them.
    Python, not curl: the app image is only guaranteed to have Python."""
    probe = (
        "import urllib.request as u; "
        f"u.urlopen('http://127.0.0.1:{port}{health.live_path}', timeout={health.timeout_seconds})"
    )
    return {
        "command": ["CMD", "python", "-c", probe],
        "interval": health.interval_seconds,
        "timeout": health.timeout_seconds,
        "retries": health.retries,
        "startPeriod": health.start_period_seconds,
    }


def container(
    ctx: ContainerContext,
    process: ProcessSpec,
    *,
    port: int | None = None,
    health: HealthSpec | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    """One container definition. Secret keys go in `secrets` (resolved by ECS from Secrets
    Manager at start), everything else in `environment`."""
    definition: dict[str, Any] = {
        "name": process.name,
        "image": ctx.image,
        "essential": process.long_lived,
        "command": list(process.command),
        "environment": [{"name": k, "value": v} for k, v in sorted(ctx.environment.items())],
        "secrets": [
            {"name": key, "valueFrom": f"{ctx.secret_arn}:{key}::"}
            for key in sorted(ctx.secret_keys)
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": ctx.log_group,
                "awslogs-region": ctx.region,
                "awslogs-stream-prefix": process.name,
            },
        },
        "linuxParameters": {"initProcessEnabled": True},
        "readonlyRootFilesystem": True,
        "mountPoints": [
            {"sourceVolume": SCRATCH_VOLUME, "containerPath": SCRATCH_PATH, "readOnly": False}
        ],
        "stopTimeout": STOP_TIMEOUT[process.name],
        "dockerLabels": {PROCESS_LABEL: process.name, SECRETS_LABEL: ctx.secrets_version},
    }
    if port is not None:
        definition["portMappings"] = [
            {"name": "http", "containerPort": port, "protocol": "tcp", "appProtocol": "http"}
        ]
    if health is not None and port is not None:
        definition["healthCheck"] = live_probe(health, port)
    if after is not None:
        definition["dependsOn"] = [{"containerName": after, "condition": "SUCCESS"}]
    return definition


def web_task(
    ctx: ContainerContext, web: ProcessSpec, release: ProcessSpec, port: int, health: HealthSpec
) -> list[dict[str, Any]]:
    """Release (one-shot, non-essential) then web, gated on the release's success."""
    return [
        container(ctx, release),
        container(ctx, web, port=port, health=health, after=release.name),
    ]


def process_task(ctx: ContainerContext, process: ProcessSpec) -> list[dict[str, Any]]:
    """Worker or beat: one container, no port."""
    return [container(ctx, process)]
