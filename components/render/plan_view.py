"""How the invariant checks read the render target's resources in an offline plan.

A process is a Render service (web service or background worker), told apart by its Docker command;
its env keys are the keys of the env groups linked to it (`LinkServiceToEnvGroup`): the group's
plain `envVars` plus its `EnvGroupEnvVar` secrets, whose keys a plan shows while values stay masked.

The release step is web's pre-deploy command, which Render runs inside each web deploy before the
new version takes traffic. So the release instance is the web service (where the command is
declared) and the web instance is web's `Deploy`, which the engine orders after the service: the
shared "release before web" check then reads Render's order.

Render gives a web service one HTTP health check path, used both to route traffic and to restart an
unhealthy instance; this target points it at readiness (W4: the platform check uses readiness).
Render has no second, liveness-only probe, so the shared W4 check's liveness half cannot hold here.
`EXCEPTIONS` lists that and the one other shared check Render cannot meet, and `excepted` is what
the tests use to accept exactly those violations and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from components.contract import LIVE_PATH
from core.plan import Plan, PlanResource, ProcessInstance, StatefulResource

WEB = "render:services:WebService"
WORKER = "render:services:BackgroundWorker"
DEPLOY = "render:services:Deploy"
ENV_GROUP = "render:env-groups:EnvGroup"
ENV_VAR = "render:env-groups:EnvGroupEnvVar"
LINK = "render:env-groups:LinkServiceToEnvGroup"
STATEFUL = {
    "render:postgres:Postgres": "postgres",
    "neon:resource:Project": "postgres",
    "render:key-value:KeyValue": "redis",
    "upstash:index/redisDatabase:RedisDatabase": "redis",
    "cloudflare:index/r2Bucket:R2Bucket": "storage",
    "aws:s3/bucket:Bucket": "storage",
}

KEY_IDS = ("cloudflare:index/accountToken:AccountToken", "aws:iam/accessKey:AccessKey")
"""Where the app's storage access key id comes from: the R2 token's id or the IAM access key's."""

EXCEPTIONS: dict[str, str] = {
    "W4 health paths": (
        "Render has one health check path per web service, used for routing and restarts alike; "
        "it is the readiness path, so no check uses the liveness path (docs/render.md)"
    ),
    "S1 no plaintext secrets": (
        "the storage access key id is the R2 token's (or IAM key's) resource id, which every "
        "plan and state shows; the app env keeps it secret, the secret key is never shown "
        "(docs/render.md)"
    ),
}
"""Shared invariant -> why Render cannot satisfy it; `excepted` matches each to its violation."""


def excepted(violation: str, plan: Plan) -> bool:
    """True for a violation this target documents it cannot avoid (`EXCEPTIONS`), and only that."""
    rule, _, detail = violation.partition(": ")
    if rule == "W4 health paths":
        return detail.endswith(f"no health check on {LIVE_PATH}")
    if rule == "S1 no plaintext secrets":
        ids = [str(r.id) for t in KEY_IDS for r in plan.of_type(t)]
        return any(
            detail == f"a secret value ({len(i)} chars, starts {i[:3]!r}) appears in plaintext"
            for i in ids
        )
    return False


def details(service: PlanResource) -> dict:
    """The service's `serviceDetails` input (empty when absent)."""
    return dict(service.inputs.get("serviceDetails") or {})


def docker_command(service: PlanResource) -> str:
    """The process a service runs: its Docker command (the image's CMD)."""
    return str((details(service).get("envSpecificDetails") or {}).get("dockerCommand", "?"))


def env_keys(plan: Plan, service: PlanResource) -> frozenset[str]:
    """Keys the service sees: its own env vars plus those of every env group linked to it."""
    keys = {str(e.get("key")) for e in service.inputs.get("envVars") or []}
    groups = {
        str(link.inputs.get("envGroupId"))
        for link in plan.of_type(LINK)
        if link.inputs.get("serviceId") == service.id
    }
    for group in plan.of_type(ENV_GROUP):
        if group.id in groups:
            keys |= {str(e.get("key")) for e in group.inputs.get("envVars") or []}
    keys |= {
        str(var.inputs.get("envVarKey"))
        for var in plan.of_type(ENV_VAR)
        if var.inputs.get("envGroupId") in groups
    }
    return frozenset(keys)


def _running(service: PlanResource) -> bool:
    """Render supervises (restarts) every instance of a service that has at least one."""
    d = details(service)
    scaling = d.get("autoscaling") or {}
    low = scaling.get("min", 0) if scaling.get("enabled") else d.get("numInstances", 1)
    return int(low) >= 1


def _deploy_of(plan: Plan, service: PlanResource) -> PlanResource | None:
    return next((d for d in plan.of_type(DEPLOY) if d.inputs.get("serviceId") == service.id), None)


class RenderPlanView:
    """Reads Render services, their deploys and env groups, and the stateful services."""

    def processes(self, plan: Plan) -> list[ProcessInstance]:
        found: list[ProcessInstance] = []
        for service in [*plan.of_type(WEB), *plan.of_type(WORKER)]:
            process = docker_command(service)
            keys = env_keys(plan, service)
            d = details(service)
            if service.type == WEB:
                if d.get("preDeployCommand"):
                    found.append(ProcessInstance("release", service.urn, keys, (), False))
                deploy = _deploy_of(plan, service)
                urn = deploy.urn if deploy is not None else service.urn
                checks = tuple(str(p) for p in [d.get("healthCheckPath")] if p)
                found.append(ProcessInstance(process, urn, keys, checks, _running(service)))
            else:
                found.append(ProcessInstance(process, service.urn, keys, (), _running(service)))
        return found

    def stateful(self, plan: Plan) -> list[StatefulResource]:
        return [
            StatefulResource(
                urn=r.urn,
                capability=capability,
                # Render Key Value's free plan keeps no disk: a restart loses every key.
                persistent=r.inputs.get("plan") != "free",
            )
            for type_token, capability in STATEFUL.items()
            for r in plan.of_type(type_token)
        ]

    def unexplained(self, plan: Plan, found: Iterable[str]) -> list[str]:
        """The violations `EXCEPTIONS` does not account for."""
        return [v for v in found if not excepted(v, plan)]


VIEW = RenderPlanView()
