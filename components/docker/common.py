"""Conventions shared by the docker target's components: labels, logging, restart, health, stop
grace periods, and the exit-code gate of one-shot containers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_docker as docker

RESTART = "unless-stopped"
"""Long-lived containers come back after a crash or a daemon restart, not after `docker stop`."""

LOG_DRIVER = "json-file"
LOG_OPTS = {"max-size": "10m", "max-file": "5"}
"""Docker has no log service with a retention period; rotation bounds what is kept (O1)."""

STOP_SIGNAL = "SIGTERM"
"""Gunicorn drains and a Celery worker finishes its current tasks (warm shutdown) on SIGTERM."""
STOP_GRACE_SECONDS = {"web": 30, "worker": 120, "beat": 30}
"""Seconds between the stop signal and SIGKILL, the same as the ECS task definitions give
(components/aws/containers.py), so a Celery task can finish when its worker is replaced. Docker's
default is 10 s for `docker stop`, and the provider removes a container it replaces or destroys
with force (SIGKILL at once) unless `destroy_grace_seconds` is set, so both are set."""

ROLE_LABEL = "trudeploy.role"
PROCESS_LABEL = "trudeploy.process"


def labels(tags: Mapping[str, str], **extra: str) -> list[docker.ContainerLabelArgs]:
    """The stack's tags (O3) plus component-specific labels, as container labels."""
    merged = {f"trudeploy.{k}": v for k, v in tags.items()} | extra
    return [docker.ContainerLabelArgs(label=k, value=v) for k, v in sorted(merged.items())]


def volume_labels(tags: Mapping[str, str]) -> list[docker.VolumeLabelArgs]:
    """The stack's tags (O3) on a named volume, so `docker volume ls` shows whose data it is."""
    return [
        docker.VolumeLabelArgs(label=f"trudeploy.{k}", value=v) for k, v in sorted(tags.items())
    ]


def health(
    command: str, interval: int = 5, timeout: int = 5, retries: int = 10, start: int = 10
) -> docker.ContainerHealthcheckArgs:
    """A shell health check; `wait=True` on the container makes `pulumi up` wait for it."""
    return docker.ContainerHealthcheckArgs(
        tests=["CMD-SHELL", command],
        interval=f"{interval}s",
        timeout=f"{timeout}s",
        retries=retries,
        start_period=f"{start}s",
    )


def stateful_container(
    *,
    tags: Mapping[str, str],
    capability: str,
    network: Any,
    alias: str,
    volume_name: Any,
    data_path: str,
    healthcheck: docker.ContainerHealthcheckArgs,
    wait_timeout: int,
) -> dict[str, Any]:
    """Container arguments every stateful service shares: data on its named volume, only the
    backend network, a health check `pulumi up` waits for, restart, log rotation, stack labels."""
    return {
        "volumes": [docker.ContainerVolumeArgs(volume_name=volume_name, container_path=data_path)],
        "networks_advanced": [docker.ContainerNetworksAdvancedArgs(name=network, aliases=[alias])],
        "healthcheck": healthcheck,
        "restart": RESTART,
        "wait": True,
        "wait_timeout": wait_timeout,
        "log_driver": LOG_DRIVER,
        "log_opts": LOG_OPTS,
        "labels": labels(tags, **{ROLE_LABEL: "stateful", "trudeploy.capability": capability}),
    }


class OneShotFailed(RuntimeError):
    """A one-shot container (release, bucket init) did not exit 0: the deployment fails."""


def require_exit_zero(container: docker.Container, step: str) -> pulumi.Output[str]:
    """The exit code of an attached one-shot container, as a string for a label, or a failed
    `pulumi up` naming the container. The provider waits for an attached container to exit but
    records a failure only as `exit_code` (the resource itself is created); whatever reads this
    Output is therefore never declared after a failure, and the program's error stops the run.
    No exit code at all is a failure too: an attached container that has exited always has one."""

    def check(values: list[Any]) -> str:
        name, code = values
        if code != 0:
            outcome = "reported no exit code" if code is None else f"exited with code {code}"
            raise OneShotFailed(f"{step}: container {name} {outcome}; stopping this deployment")
        return "0"

    return pulumi.Output.all(container.name, container.exit_code).apply(check)
