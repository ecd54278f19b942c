"""What the Docker engine refuses, per resource type this target declares (see
components/constraints.py). `docker:index/image:Image` is shared with the aws target and lives in
components/constraints.py.

Names: the engine accepts container and local-volume names matching `[a-zA-Z0-9][a-zA-Z0-9_.-]+`
(moby's `RestrictedNamePattern`), and Pulumi autonames an unnamed one `<logical>-<7 hex>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.constraints import (
    DOCKER_TAG_DOCS,
    IMAGE_REFERENCE,
    Combination,
    Constraints,
    Length,
    OneOf,
    Pattern,
    Range,
    Rule,
)

MOBY_NAMES = "https://github.com/moby/moby/blob/master/daemon/names/names.go"
RUN = "https://docs.docker.com/reference/cli/docker/container/run/"
RESTART = "https://docs.docker.com/engine/containers/start-containers-automatically/"
RESOURCES = "https://docs.docker.com/engine/containers/resource_constraints/"
HEALTHCHECK = "https://docs.docker.com/reference/dockerfile/#healthcheck"
LOGGING = "https://docs.docker.com/engine/logging/configure/"
JSON_FILE = "https://docs.docker.com/engine/logging/drivers/json-file/"
NETWORK = "https://docs.docker.com/reference/cli/docker/network/create/"
VOLUME = "https://docs.docker.com/reference/cli/docker/volume/create/"
PULUMI_CONTAINER = "https://www.pulumi.com/registry/packages/docker/api-docs/container/"

NAME = Pattern(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", "[a-zA-Z0-9][a-zA-Z0-9_.-]+ (moby)")
DURATION = Pattern(r"([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+", "a Go duration such as 5s or 1m30s")
HOSTNAME = Pattern(
    r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?", "an RFC 1123 label (63 characters)"
)
LOG_DRIVERS = (
    "json-file", "local", "none", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk",
    "etwlogs", "gcplogs",
)  # fmt: skip


def _retries_need_on_failure(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("maxRetryCount") and inputs.get("restart") != "on-failure":
        return f"maxRetryCount needs restart on-failure, not {inputs.get('restart')!r}"
    return None


CONTAINER = Constraints(
    autoname="name",
    rules=(
        Rule("name", NAME, MOBY_NAMES),
        Rule("image", Pattern(r"\S+", "an image id or reference"), RUN),
        Rule("restart", OneOf(("no", "on-failure", "always", "unless-stopped")), RESTART),
        Combination(
            "maxRetryCount",
            "a retry count only with restart on-failure",
            _retries_need_on_failure,
            RESTART,
        ),
        Rule("ports[].internal", Range(1, 65535), RUN),
        Rule("ports[].external", Range(1, 65535), RUN),
        Rule("ports[].protocol", OneOf(("tcp", "udp", "sctp")), RUN),
        Rule("memory", Range(6, 2**31 - 1), RESOURCES),
        Rule("cpus", Pattern(r"[0-9]*\.?[0-9]+", "a decimal number of CPUs"), RESOURCES),
        Rule("envs[]", Pattern(r"[^=\s]+=.*", "KEY=value"), RUN),
        Rule("hostname", HOSTNAME, RUN),
        Rule("healthcheck.tests", Length(1, 2**31 - 1, "items"), HEALTHCHECK),
        Rule("healthcheck.tests[0]", OneOf(("NONE", "CMD", "CMD-SHELL")), HEALTHCHECK),
        Rule("healthcheck.interval", DURATION, HEALTHCHECK),
        Rule("healthcheck.timeout", DURATION, HEALTHCHECK),
        Rule("healthcheck.startPeriod", DURATION, HEALTHCHECK),
        Rule("healthcheck.retries", Range(0, 2**31 - 1), HEALTHCHECK),
        Rule("logDriver", OneOf(LOG_DRIVERS), LOGGING),
        Rule("logOpts.max-size", Pattern(r"[0-9]+[kmg]?", "a size such as 10m"), JSON_FILE),
        Rule("logOpts.max-file", Pattern(r"[1-9][0-9]*", "a positive count"), JSON_FILE),
        Rule("networksAdvanced[].name", Length(1, 2**31 - 1), PULUMI_CONTAINER),
        Rule("volumes[].containerPath", Pattern(r"/.*", "an absolute path"), RUN),
        Rule("volumes[].volumeName", NAME, MOBY_NAMES),
        Rule("waitTimeout", Range(1, 2**31 - 1), PULUMI_CONTAINER),
    ),
)

CONSTRAINTS: dict[str, Constraints] = {
    "docker:index/container:Container": CONTAINER,
    "docker:index/volume:Volume": Constraints(
        autoname="name",
        rules=(
            Rule("name", NAME, MOBY_NAMES),
            Rule("driver", Pattern(r"[A-Za-z0-9_./:-]+", "a volume driver name"), VOLUME),
        ),
    ),
    "docker:index/network:Network": Constraints(
        autoname="name",
        rules=(
            Rule("name", Length(1, 2**31 - 1), NETWORK),
            Rule(
                "driver", OneOf(("bridge", "overlay", "host", "none", "macvlan", "ipvlan")), NETWORK
            ),
        ),
    ),
    "docker:index/remoteImage:RemoteImage": Constraints(
        rules=(Rule("name", IMAGE_REFERENCE, DOCKER_TAG_DOCS),)
    ),
}
