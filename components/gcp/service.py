"""The service on Cloud Run: the release job, web as a service, worker and beat as worker pools.

- release: a Cloud Run job whose `run_execution_token` derives from the image, so each deploy of
  a new image starts one execution, and the provider reports the job ready only once that
  execution has *completed* successfully (pulumi-gcp `cloudrunv2.Job.run_execution_token`); a
  failed migration fails `pulumi up` (W6). Web depends on the job, so its new revision is declared
  (and takes traffic) only after the migrations ran (W3).
- web: a Cloud Run service; the startup probe on the readiness path gates traffic to a new
  instance, the liveness probe restarts a hung one (W4); min/max instances from the profile;
  concurrency is what one instance's gunicorn serves at once (2 workers x 4 threads).
- worker and beat: Cloud Run worker pools (always-on instances without an HTTP endpoint), manual
  scaling; beat has exactly one instance. Both wait for web, so they run new code only after the
  release step.

Every process runs as the runtime service account, egresses through Direct VPC egress into the
private subnet (private ranges only: Cloud SQL and Memorystore), and reads its secrets from Secret
Manager (secret_key_ref), never from plain env. Their JSON lines on stdout become structured
Cloud Logging entries; a log bucket with the profile's retention keeps this service's (logs.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.base import Component
from components.contract import AppEnv, ChildTransform, ProcessSpec, ServiceSpec
from components.gcp.common import labels, resource_id, run_size
from components.gcp.sdk import pulumi_gcp

gcp = pulumi_gcp(cloudrunv2=("job", "service", "worker_pool"))

WEB_CONCURRENCY = 8
"""Requests one web instance takes at once: gunicorn's 2 workers x 4 threads (app/gunicorn.conf.py);
more would only queue inside the instance while another could serve them."""
RELEASE_TIMEOUT = "1800s"
RELEASE_WAIT = "40m"
"""How long `pulumi up` waits for the job create/update that runs the release: the provider's
default is 20 minutes (magic-modules mmv1/products/cloudrunv2/Job.yaml `timeouts`), shorter than
the task's own RELEASE_TIMEOUT, so a long migration would fail the update while still running and
web would not be rolled; this covers the task timeout plus its start."""
CLOUD_RUN_SETS = frozenset({"PORT"})
"""Env names of the contract that Cloud Run reserves and sets itself: a revision, job or worker
pool that sets one is refused ("The following reserved env names were provided: PORT",
https://cloud.google.com/run/docs/configuring/services/environment-variables#reserved-names).
Cloud Run gives web PORT = its container port, which is the contract's port (`spec.port`);
release, worker and beat never listen."""


@dataclass(frozen=True)
class AppServiceArgs:
    """Everything the service needs from the rest of the stack."""

    spec: ServiceSpec
    env: AppEnv
    image: pulumi.Input[str]
    region: str
    service_account: pulumi.Input[str]
    network_id: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    secret_refs: Mapping[str, tuple[pulumi.Output[str], pulumi.Output[str]]]
    ready: list[pulumi.Resource]
    behind_lb: bool
    protected: bool
    tags: Mapping[str, str] = field(default_factory=dict)


def process_name(spec: ServiceSpec, process: str) -> str:
    """The Cloud Run name of one process (web's is what the load balancer's NEG names)."""
    return resource_id(f"{spec.name}-{process}", 49)


def execution_token(image: str) -> str:
    """A short lowercase token that changes exactly when the image does."""
    return hashlib.sha256(image.encode()).hexdigest()[:12]


class AppService(Component):
    """`web` (the Cloud Run service), `release` (the job), `pools` (worker, beat)."""

    def __init__(
        self,
        name: str,
        args: AppServiceArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:gcp:Service", name, transform, opts)
        self._args = args
        spec = args.spec
        processes = spec.processes
        ready = pulumi.ResourceOptions(
            depends_on=list(args.ready),
            custom_timeouts=pulumi.CustomTimeouts(create=RELEASE_WAIT, update=RELEASE_WAIT),
        )
        self.release = self.child(
            gcp.cloudrunv2.Job,
            f"{name}-release",
            name=process_name(spec, "release"),
            location=args.region,
            deletion_protection=False,
            run_execution_token=pulumi.Output.from_input(args.image).apply(execution_token),
            template={
                "task_count": 1,
                "parallelism": 1,
                "labels": labels(args.tags),
                "template": {
                    "service_account": args.service_account,
                    # A failed migration is reported, not retried over a half-migrated schema.
                    "max_retries": 0,
                    "timeout": RELEASE_TIMEOUT,
                    "vpc_access": self._vpc(),
                    "containers": [self._container(processes["release"])],
                },
            },
            labels=labels(args.tags),
            opts=ready,
        )
        web = processes["web"]
        self.web = self.child(
            gcp.cloudrunv2.Service,
            f"{name}-web",
            name=process_name(spec, "web"),
            location=args.region,
            deletion_protection=args.protected,
            ingress=(
                "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
                if args.behind_lb
                else "INGRESS_TRAFFIC_ALL"
            ),
            # A public web site: no Cloud Run IAM check in front of it (the app authenticates).
            invoker_iam_disabled=True,
            template={
                "service_account": args.service_account,
                "max_instance_request_concurrency": WEB_CONCURRENCY,
                "scaling": {
                    "min_instance_count": web.replicas,
                    "max_instance_count": max(spec.max_web_replicas, web.replicas),
                },
                "vpc_access": self._vpc(),
                "labels": labels(args.tags),
                "containers": [self._container(web, http=True)],
            },
            labels=labels(args.tags),
            opts=pulumi.ResourceOptions(depends_on=[*args.ready, self.release]),
        )
        self.pools = {
            process: self.child(
                gcp.cloudrunv2.WorkerPool,
                f"{name}-{process}",
                name=process_name(spec, process),
                location=args.region,
                # No launch_stage: worker pools are GA (pulumi-gcp's own WorkerPool examples create
                # them without one), and Cloud Run reports the stage a resource needs, so a
                # declared BETA would read back as GA and show a diff on every `pulumi up`.
                deletion_protection=args.protected,
                scaling={
                    "scaling_mode": "MANUAL",
                    "manual_instance_count": 1
                    if process == "beat"
                    else processes[process].replicas,
                },
                template={
                    "service_account": args.service_account,
                    "vpc_access": self._vpc(),
                    "labels": labels(args.tags),
                    "containers": [self._container(processes[process])],
                },
                labels=labels(args.tags),
                opts=pulumi.ResourceOptions(depends_on=[*args.ready, self.web]),
            )
            for process in ("worker", "beat")
        }
        self.url: pulumi.Output[str] = self.web.uri
        self.done({"uri": self.web.uri})

    def _vpc(self) -> dict[str, Any]:
        return {
            "network_interfaces": [
                {"network": self._args.network_id, "subnetwork": self._args.subnet_id}
            ],
            "egress": "PRIVATE_RANGES_ONLY",
        }

    def _envs(self) -> list[dict[str, Any]]:
        env = self._args.env
        plain = [
            {"name": key, "value": env.plain[key]}
            for key in sorted(env.plain)
            if key not in CLOUD_RUN_SETS
        ]
        secret = [
            {
                "name": key,
                "value_source": {
                    "secret_key_ref": {"secret": ref[0], "version": ref[1]},
                },
            }
            for key, ref in sorted(self._args.secret_refs.items())
        ]
        return plain + secret

    def _container(self, process: ProcessSpec, http: bool = False) -> dict[str, Any]:
        cpu, memory = run_size(process.cpu, process.memory_mb)
        container: dict[str, Any] = {
            "name": process.name,
            "image": self._args.image,
            "args": list(process.command),
            "envs": self._envs(),
            "resources": {"limits": {"cpu": cpu, "memory": memory}},
        }
        if http:
            spec = self._args.spec
            health = spec.health
            container["ports"] = {"name": "http1", "container_port": spec.port}
            container["resources"]["cpu_idle"] = True
            container["resources"]["startup_cpu_boost"] = True
            container["startup_probe"] = {
                "http_get": {"path": health.ready_path, "port": spec.port},
                "period_seconds": health.interval_seconds,
                "timeout_seconds": health.timeout_seconds,
                "failure_threshold": health.retries
                + health.start_period_seconds // health.interval_seconds,
            }
            container["liveness_probe"] = {
                "http_get": {"path": health.live_path, "port": spec.port},
                "period_seconds": health.interval_seconds,
                "timeout_seconds": health.timeout_seconds,
                "failure_threshold": health.retries,
            }
        return container
