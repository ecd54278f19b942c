"""Render-specific checks on an offline plan: each returns the problems it finds (empty = holds),
so the plan tests assert `== []` and the negative tests feed broken plans and expect findings."""

from __future__ import annotations

import json

from components.app_env import SECRET_KEYS
from components.contract import READY_PATH
from components.render.plan_view import details, docker_command
from core.plan import MASK, Plan, PlanResource
from core.profiles import Profile

WEB = "render:services:WebService"
WORKER = "render:services:BackgroundWorker"
DEPLOY = "render:services:Deploy"
ENV_GROUP = "render:env-groups:EnvGroup"
ENV_VAR = "render:env-groups:EnvGroupEnvVar"
LINK = "render:env-groups:LinkServiceToEnvGroup"
DOMAIN = "render:services:CustomDomain"
POSTGRES = "render:postgres:Postgres"
KEY_VALUE = "render:key-value:KeyValue"
UPSTASH = "upstash:index/redisDatabase:RedisDatabase"
R2 = "cloudflare:index/r2Bucket:R2Bucket"
TOKEN = "cloudflare:index/accountToken:AccountToken"
S3 = "aws:s3/bucket:Bucket"
OBJECT_WRITE = "2efd5506f9c8494dacb1fa10a3e7d5b6"


def services(plan: Plan) -> dict[str, PlanResource]:
    """Render services by the process they run."""
    return {docker_command(s): s for s in [*plan.of_type(WEB), *plan.of_type(WORKER)]}


def deploy_of(plan: Plan, service: PlanResource) -> PlanResource | None:
    return next((d for d in plan.of_type(DEPLOY) if d.inputs.get("serviceId") == service.id), None)


def plain_env(plan: Plan) -> dict[str, str]:
    """The env group's plain values by key (the plan shows them)."""
    group = plan.of_type(ENV_GROUP)[0]
    return {e["key"]: e["value"] for e in group.inputs.get("envVars", [])}


def beat_runs_once(plan: Plan) -> list[str]:
    """W3 on Render: beat is one background worker with one instance and no autoscaling."""
    beats = [s for s in plan.of_type(WORKER) if docker_command(s) == "beat"]
    if len(beats) != 1:
        return [f"expected one beat service, found {len(beats)}"]
    d = details(beats[0])
    problems = []
    if d.get("numInstances") != 1:
        problems.append(f"beat runs {d.get('numInstances')} instances")
    if d.get("autoscaling"):
        problems.append("beat autoscales")
    return problems


def release_gates_deploys(plan: Plan) -> list[str]:
    """Web runs `release` as its pre-deploy command and checks readiness; every service deploys
    after its env link, and worker/beat after web (migrations first)."""
    found = services(plan)
    web = found.get("web")
    if web is None:
        return ["no web service"]
    d = details(web)
    problems = []
    if d.get("preDeployCommand") != "release":
        problems.append(f"web's pre-deploy command is {d.get('preDeployCommand')!r}")
    if d.get("healthCheckPath") != READY_PATH:
        problems.append(f"web's health check path is {d.get('healthCheckPath')!r}")
    web_deploy = deploy_of(plan, web)
    for process, service in found.items():
        deploy = deploy_of(plan, service)
        if deploy is None:
            problems.append(f"{process} has no Deploy")
            continue
        before = plan.depends_on(deploy.urn)
        links = [
            link.urn for link in plan.of_type(LINK) if link.inputs.get("serviceId") == service.id
        ]
        if not set(links) & before:
            problems.append(f"{process} deploys before its env group is linked")
        if process != "web" and (web_deploy is None or web_deploy.urn not in before):
            problems.append(f"{process} deploys without waiting for web's release")
    return problems


def env_through_one_group(plan: Plan) -> list[str]:
    """One env group linked to every service; secrets only as masked EnvGroupEnvVars (S1, S2)."""
    groups = plan.of_type(ENV_GROUP)
    if len(groups) != 1:
        return [f"expected one env group, found {len(groups)}"]
    group = groups[0]
    problems = []
    for process, service in services(plan).items():
        if service.inputs.get("envVars"):
            problems.append(f"{process} sets its own env vars")
        links = [
            link
            for link in plan.of_type(LINK)
            if link.inputs.get("serviceId") == service.id
            and link.inputs.get("envGroupId") == group.id
        ]
        if len(links) != 1:
            problems.append(f"{process} is linked to the env group {len(links)} times")
    plain = set(plain_env(plan))
    problems += [f"secret {k} is a plain env var" for k in sorted(plain & SECRET_KEYS)]
    for var in plan.of_type(ENV_VAR):
        if var.inputs.get("value") != MASK:
            problems.append(f"{var.inputs.get('envVarKey')} is not a secret value")
    return problems


def broker_keeps_tasks(plan: Plan) -> list[str]:
    """Redis is the Celery broker: never evict; Key Value internal only, Upstash over TLS."""
    problems = []
    for kv in plan.of_type(KEY_VALUE):
        if kv.inputs.get("maxmemoryPolicy") != "noeviction":
            problems.append(f"Key Value evicts ({kv.inputs.get('maxmemoryPolicy')})")
        if kv.inputs.get("ipAllowList") != []:
            problems.append("Key Value accepts external connections")
        if kv.inputs.get("plan") == "free":
            problems.append("Key Value free plan has no disk")
    for db in plan.of_type(UPSTASH):
        if db.inputs.get("eviction") is not False:
            problems.append("Upstash eviction is not off")
        if db.inputs.get("tls") is not True:
            problems.append("Upstash TLS is not on")
    if not plan.of_type(KEY_VALUE) and not plan.of_type(UPSTASH):
        problems.append("no Redis in the plan")
    return problems


def database_private(plan: Plan) -> list[str]:
    """Render Postgres takes no external connections (D1)."""
    return [
        f"{pg.name} accepts external connections"
        for pg in plan.of_type(POSTGRES)
        if pg.inputs.get("ipAllowList") != []
    ]


def storage_scoped(plan: Plan) -> list[str]:
    """The app's storage keys reach only its bucket; S3 blocks public access (D5)."""
    problems = []
    for bucket in plan.of_type(S3):
        name = bucket.inputs["bucket"]
        block = next(
            (
                b
                for b in plan.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
                if b.inputs.get("bucket") == bucket.id
            ),
            None,
        )
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls")
        if block is None or not all(block.inputs.get(f) for f in flags):
            problems.append(f"{name} does not block public access")
        for policy in plan.of_type("aws:iam/userPolicy:UserPolicy"):
            for statement in json.loads(policy.inputs["policy"])["Statement"]:
                resources = statement["Resource"]
                for arn in [resources] if isinstance(resources, str) else resources:
                    if arn not in (f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"):
                        problems.append(f"the app user reaches {arn}")
    for bucket in plan.of_type(R2):
        wanted = f"com.cloudflare.edge.r2.bucket.{bucket.inputs['accountId']}_default_"
        wanted += bucket.inputs["name"]
        for token in plan.of_type(TOKEN):
            for policy in token.inputs["policies"]:
                if set(json.loads(policy["resources"])) != {wanted}:
                    problems.append(f"token policy names {policy['resources']}")
                groups = {g["id"] for g in policy["permissionGroups"]}
                if groups != {OBJECT_WRITE}:
                    problems.append(f"token has permission groups {sorted(groups)}")
    return problems


def proxy_and_keepalive(plan: Plan) -> list[str]:
    """O6: trust Cloudflare's edge and Render's proxy, no more; keep-alive 120 s; DEBUG off."""
    env = plain_env(plan)
    wanted = {"DEBUG": "false", "TRUSTED_PROXY_COUNT": "2", "GUNICORN_KEEPALIVE": "120"}
    return [f"{k} is {env.get(k)!r}, not {v!r}" for k, v in wanted.items() if env.get(k) != v]


def sized_by_profile(plan: Plan, profile: Profile, autoscale: bool) -> list[str]:
    """Instance counts from the profile; web autoscales between its bounds only in production."""
    found = services(plan)
    problems = []
    web = details(found["web"])
    scaling = web.get("autoscaling")
    if autoscale and profile.web_max_replicas > profile.web_replicas:
        if not scaling or (scaling.get("min"), scaling.get("max")) != (
            profile.web_replicas,
            profile.web_max_replicas,
        ):
            problems.append(f"web autoscaling is {scaling}")
    elif scaling:
        problems.append("web autoscales outside production")
    if web.get("numInstances") != profile.web_replicas:
        problems.append(f"web runs {web.get('numInstances')} instances")
    worker = found.get("worker")
    if profile.worker_replicas and (
        worker is None or details(worker).get("numInstances") != profile.worker_replicas
    ):
        problems.append("worker count differs from the profile")
    return problems


def served_on_domain(plan: Plan, domain: str | None) -> list[str]:
    """With a domain: a custom domain on web and no onrender.com subdomain (O6)."""
    web = services(plan)["web"]
    policy = details(web).get("renderSubdomainPolicy")
    domains = [d for d in plan.of_type(DOMAIN) if d.inputs.get("serviceId") == web.id]
    if domain is None:
        return [] if policy == "enabled" and not domains else ["no domain, yet not on onrender"]
    problems = []
    if [d.inputs.get("name") for d in domains] != [domain]:
        problems.append(f"web's custom domains are {[d.inputs.get('name') for d in domains]}")
    if policy != "disabled":
        problems.append("the onrender.com subdomain still serves web")
    return problems
