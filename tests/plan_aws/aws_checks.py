"""AWS-specific invariant checks on an offline plan (INVARIANTS.md), beyond the generic ones in
stacks/offline/invariants.py. Each returns a list of violations (empty = holds), so the tests can
assert a real plan passes and a deliberately broken copy fails.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from typing import Any

from policy_sentry.querying.actions import get_action_data

from components.app_env import SECRET_KEYS
from components.aws.plan_view import container_definitions
from components.contract import LIVE_PATH, READY_PATH
from core.plan import Plan, PlanResource

RDS = "aws:rds/instance:Instance"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"
RDS_SUBNETS = "aws:rds/subnetGroup:SubnetGroup"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_SUBNETS = "aws:elasticache/subnetGroup:SubnetGroup"
BUCKET = "aws:s3/bucket:Bucket"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LOGS = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
RECORD = "aws:route53/record:Record"
CERT = "aws:acm/certificate:Certificate"
CERT_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
REPO = "aws:ecr/repository:Repository"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOC = "aws:wafv2/webAclAssociation:WebAclAssociation"
WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
RANDOM_ID = "random:index/randomId:RandomId"
PUBLIC = {"0.0.0.0/0", "::/0"}
PORTS = {"postgres": 5432, "redis": 6379}


def media_buckets(plan: Plan) -> list[PlanResource]:
    """The service's buckets: every bucket but the audit log bucket."""
    return [
        b
        for b in plan.of_type(BUCKET)
        if (b.inputs.get("tags") or {}).get("purpose") != "audit-logs"
    ]


def log_buckets(plan: Plan) -> list[PlanResource]:
    return [b for b in plan.of_type(BUCKET) if b not in media_buckets(plan)]


def _by(plan: Plan, type_token: str, key: str = "arn") -> dict[str, PlanResource]:
    out: dict[str, PlanResource] = {}
    for r in plan.of_type(type_token):
        value = r.outputs.get(key, r.inputs.get(key)) if key != "id" else r.id
        out[str(value)] = r
    return out


def service_groups(plan: Plan) -> set[str]:
    """Security groups the ECS tasks run in."""
    return {
        sg
        for s in plan.of_type(SERVICE)
        for sg in s.inputs.get("networkConfiguration", {}).get("securityGroups", [])
    }


def stateful_groups(plan: Plan) -> dict[str, set[str]]:
    """Security groups attached to the database and the cache."""
    return {
        "postgres": {g for r in plan.of_type(RDS) for g in r.inputs.get("vpcSecurityGroupIds", [])},
        "redis": {g for r in plan.of_type(CACHE) for g in r.inputs.get("securityGroupIds", [])},
    }


def _rules_on(plan: Plan, rule_type: str, group: str) -> list[PlanResource]:
    return [r for r in plan.of_type(rule_type) if r.inputs.get("securityGroupId") == group]


def only_service_reaches_state(plan: Plan) -> list[str]:
    """W5/D1: PostgreSQL and Redis admit the service's group on their port, and nothing else."""
    problems: list[str] = []
    services = service_groups(plan)
    if not services:
        return ["no ECS service security group in the plan"]
    sgs = _by(plan, SG, "id")
    for capability, groups in stateful_groups(plan).items():
        port = PORTS[capability]
        if not groups:
            problems.append(f"{capability} has no security group")
        for group in groups:
            if sgs.get(group) is not None and sgs[group].inputs.get("ingress"):
                problems.append(f"{capability} group {group} has inline ingress rules")
            rules = _rules_on(plan, INGRESS, group)
            if not rules:
                problems.append(
                    f"{capability} group {group} admits no one: the service cannot reach it"
                )
            for rule in rules:
                i = rule.inputs
                if i.get("referencedSecurityGroupId") not in services:
                    problems.append(
                        f"{rule.name}: {capability} admits a source other than the service"
                    )
                for key in ("cidrIpv4", "cidrIpv6", "prefixListId"):
                    if i.get(key):
                        problems.append(f"{rule.name}: {capability} admits {key}={i[key]}")
                if (i.get("ipProtocol"), i.get("fromPort"), i.get("toPort")) != ("tcp", port, port):
                    problems.append(f"{rule.name}: {capability} opens more than tcp/{port}")
            reach = [
                r
                for r in plan.of_type(EGRESS)
                if r.inputs.get("securityGroupId") in services
                and r.inputs.get("referencedSecurityGroupId") == group
                and r.inputs.get("fromPort") == port
            ]
            if not reach:
                problems.append(f"the service's group has no egress to {capability} on {port}")
    return problems


def _private_subnets(plan: Plan) -> set[str]:
    """Subnets whose default route goes through NAT, never an internet gateway."""
    routes = {r.inputs["routeTableId"]: r.inputs for r in plan.of_type(ROUTE)}
    private = set()
    for assoc in plan.of_type(ASSOC):
        route = routes.get(assoc.inputs.get("routeTableId"), {})
        if route.get("natGatewayId") and not route.get("gatewayId"):
            private.add(assoc.inputs["subnetId"])
    return private


def nothing_stateful_public(plan: Plan) -> list[str]:
    """D1: no internet-open rule on anything but the load balancer's group; database and cache in
    private subnets, RDS not publicly accessible, tasks without public IPs, buckets blocked."""
    problems: list[str] = []
    lb_groups = {g for lb in plan.of_type(LB) for g in lb.inputs.get("securityGroups", [])}
    for rule in plan.of_type(INGRESS):
        i = rule.inputs
        if {i.get("cidrIpv4"), i.get("cidrIpv6")} & PUBLIC and i[
            "securityGroupId"
        ] not in lb_groups:
            problems.append(f"{rule.name}: open to the internet on a non-load-balancer group")
    stateful = set().union(*stateful_groups(plan).values())
    if lb_groups & (stateful | service_groups(plan)):
        problems.append("the load balancer shares a security group with tasks or data")
    for sg in plan.of_type(SG):
        for rule in sg.inputs.get("ingress", []):
            if set(rule.get("cidrBlocks", [])) & PUBLIC:
                problems.append(f"{sg.name}: inline ingress from the internet")
    for r in plan.of_type(RDS):
        if r.inputs.get("publiclyAccessible") is not False:
            problems.append(f"{r.name}: publiclyAccessible is not false")
    private = _private_subnets(plan)
    if not private:
        problems.append("no private subnets (default route via NAT) in the plan")
    for group_type in (RDS_SUBNETS, CACHE_SUBNETS):
        for g in plan.of_type(group_type):
            outside = set(g.inputs.get("subnetIds", [])) - private
            if outside:
                problems.append(f"{g.name}: subnets {sorted(outside)} are not private")
    for s in plan.of_type(SUBNET):
        if s.inputs.get("mapPublicIpOnLaunch"):
            problems.append(f"{s.name}: gives instances public IPs")
    for svc in plan.of_type(SERVICE):
        net = svc.inputs.get("networkConfiguration", {})
        if net.get("assignPublicIp") is not False:
            problems.append(f"{svc.name}: tasks get public IPs")
        if set(net.get("subnets", [])) - private:
            problems.append(f"{svc.name}: tasks run outside the private subnets")
    blocks = {
        b.inputs.get("bucket"): b.inputs
        for b in plan.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    }
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in plan.of_type(BUCKET):
        block = blocks.get(bucket.id, {})
        if not all(block.get(f) is True for f in flags):
            problems.append(f"{bucket.name}: public access is not fully blocked")
    return problems


def secret_document(plan: Plan) -> dict[str, str]:
    """The app's secret env as stored in Secrets Manager, read from the plaintext values the
    plan recorded (and masked) — only tests may look at them."""
    docs = [json.loads(s) for s in plan.secret_values if s.startswith("{") and "DATABASE_URL" in s]
    assert len(docs) == 1, f"expected one secret env document, found {len(docs)}"
    return docs[0]


def encrypted_and_tls(plan: Plan) -> list[str]:
    """D2/D3: encryption at rest for database, cache and bucket; TLS enforced and asked for."""
    problems: list[str] = []
    params = _by(plan, PARAMS, "name")
    for r in plan.of_type(RDS):
        if r.inputs.get("storageEncrypted") is not True:
            problems.append(f"{r.name}: storage not encrypted")
        group = params.get(str(r.inputs.get("parameterGroupName")))
        values = {
            p["name"]: p["value"] for p in (group.inputs.get("parameters", []) if group else [])
        }
        if values.get("rds.force_ssl") != "1":
            problems.append(f"{r.name}: parameter group does not force TLS (rds.force_ssl=1)")
    for r in plan.of_type(CACHE):
        for key in ("transitEncryptionEnabled", "atRestEncryptionEnabled"):
            if r.inputs.get(key) is not True:
                problems.append(f"{r.name}: {key} is not true")
        if not r.inputs.get("authToken"):
            problems.append(f"{r.name}: no AUTH token")
    sse = {
        s.inputs.get("bucket"): s.inputs
        for s in plan.of_type(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        )
    }
    for b in plan.of_type(BUCKET):
        rules = sse.get(b.id, {}).get("rules", [])
        algos = {r["applyServerSideEncryptionByDefault"]["sseAlgorithm"] for r in rules}
        if not algos & {"AES256", "aws:kms", "aws:kms:dsse"}:
            problems.append(f"{b.name}: no default server-side encryption")
    doc = secret_document(plan)
    rds_hosts = {r.outputs.get("address") for r in plan.of_type(RDS)}
    cache_hosts = {r.outputs.get("primaryEndpointAddress") for r in plan.of_type(CACHE)}
    db, cache = doc.get("DATABASE_URL", ""), doc.get("REDIS_URL", "")
    if "sslmode=require" not in db and "sslmode=verify-full" not in db:
        problems.append("DATABASE_URL does not ask for TLS (sslmode)")
    if not any(h and f"@{h}:5432/" in db for h in rds_hosts):
        problems.append("DATABASE_URL does not point at this stack's RDS instance")
    if not cache.startswith("rediss://"):
        problems.append("REDIS_URL is not rediss://")
    if not any(h and f"@{h}:6379/" in cache for h in cache_hosts):
        problems.append("REDIS_URL does not point at this stack's replication group")
    return problems


def production_safety(plan: Plan) -> list[str]:
    """D4/O4: backups ≥ 7 days, Multi-AZ, deletion protection, final snapshot, versioning, cache
    failover, one NAT gateway per zone."""
    problems: list[str] = []
    for r in plan.of_type(RDS):
        i = r.inputs
        if int(i.get("backupRetentionPeriod", 0)) < 7:
            problems.append(f"{r.name}: backups kept {i.get('backupRetentionPeriod')} days (< 7)")
        for key in ("multiAz", "deletionProtection"):
            if i.get(key) is not True:
                problems.append(f"{r.name}: {key} is not true")
        if i.get("skipFinalSnapshot") is not False or not i.get("finalSnapshotIdentifier"):
            problems.append(f"{r.name}: no final snapshot on delete")
    for r in plan.of_type(CACHE):
        i = r.inputs
        if not (i.get("automaticFailoverEnabled") and i.get("multiAzEnabled")):
            problems.append(f"{r.name}: no automatic Multi-AZ failover")
        if int(i.get("numCacheClusters", 1)) < 2:
            problems.append(f"{r.name}: a single cache node")
    versioned = {
        v.inputs.get("bucket")
        for v in plan.of_type("aws:s3/bucketVersioning:BucketVersioning")
        if v.inputs.get("versioningConfiguration", {}).get("status") == "Enabled"
    }
    for b in media_buckets(plan):
        if b.id not in versioned:
            problems.append(f"{b.name}: versioning not enabled")
    zones = {s.inputs.get("availabilityZone") for s in plan.of_type(SUBNET)}
    nats = plan.of_type("aws:ec2/natGateway:NatGateway")
    if len(zones) < 2:
        problems.append(f"subnets span {len(zones)} availability zone(s)")
    if len(nats) < len(zones):
        problems.append(f"{len(nats)} NAT gateway(s) for {len(zones)} zones")
    for lb in plan.of_type(LB):
        if lb.inputs.get("enableDeletionProtection") is not True:
            problems.append(f"{lb.name}: load balancer deletion protection off")
    return problems


def app_tasks(plan: Plan) -> list[PlanResource]:
    """Task definitions run by the stack's ECS services."""
    tasks = _by(plan, TASK)
    return [tasks[s.inputs["taskDefinition"]] for s in plan.of_type(SERVICE)]


def secrets_through_secrets_manager(plan: Plan) -> list[str]:
    """S2: secret keys reach containers only as `secrets` from this stack's one secret, which the
    execution role (and only that role) may read."""
    problems: list[str] = []
    (secret,) = plan.of_type(SECRET) or [None]
    if secret is None:
        return ["no Secrets Manager secret in the plan"]
    arn = secret.outputs["arn"]
    stored = set(secret_document(plan))
    for task in app_tasks(plan):
        for c in container_definitions(task):
            plain = {e["name"] for e in c.get("environment", [])}
            if plain & SECRET_KEYS:
                problems.append(
                    f"{task.name}/{c['name']}: {sorted(plain & SECRET_KEYS)} in plain env"
                )
            names = {s["name"] for s in c.get("secrets", [])}
            if names != stored:
                problems.append(
                    f"{task.name}/{c['name']}: secrets {sorted(names)} != {sorted(stored)}"
                )
            for s in c.get("secrets", []):
                if s["valueFrom"] != f"{arn}:{s['name']}::":
                    problems.append(f"{task.name}/{c['name']}: {s['name']} from {s['valueFrom']}")
    readers = [
        p.name
        for p in plan.of_type(ROLE_POLICY)
        for st in json.loads(p.inputs["policy"])["Statement"]
        if any(a.startswith("secretsmanager:") for a in st["Action"])
    ]
    exec_roles = {t.inputs.get("executionRoleArn") for t in app_tasks(plan)}
    roles = _by(plan, ROLE)
    for p in plan.of_type(ROLE_POLICY):
        for st in json.loads(p.inputs["policy"])["Statement"]:
            if any(a.startswith("secretsmanager:") for a in st["Action"]):
                if st["Resource"] != [arn]:
                    problems.append(f"{p.name}: reads secrets {st['Resource']}, not just {arn}")
                role = next(
                    (r for r in roles.values() if r.outputs["name"] == p.inputs["role"]), None
                )
                if role is None or role.outputs["arn"] not in exec_roles:
                    problems.append(f"{p.name}: a role other than the execution role reads secrets")
    if not readers:
        problems.append("no role may read the app secret: tasks cannot start")
    return problems


def task_role_scoped_to_bucket(plan: Plan) -> list[str]:
    """D5: the app's task role reaches its bucket and nothing else, with no wildcard actions."""
    problems: list[str] = []
    buckets = {b.outputs["arn"] for b in media_buckets(plan)}
    allowed = buckets | {f"{b}/*" for b in buckets}
    task_roles = {t.inputs.get("taskRoleArn") for t in app_tasks(plan)}
    if len(task_roles) != 1 or None in task_roles:
        problems.append(f"tasks run as {len(task_roles)} task roles")
    names = {r.outputs["name"] for r in plan.of_type(ROLE) if r.outputs["arn"] in task_roles}
    policies = [p for p in plan.of_type(ROLE_POLICY) if p.inputs["role"] in names]
    if not policies:
        problems.append("the task role has no policy: the app cannot reach its bucket")
    for p in policies:
        for st in json.loads(p.inputs["policy"])["Statement"]:
            resources = set(st["Resource"])
            if st["Effect"] != "Allow" or not resources <= allowed:
                problems.append(f"{p.name}: {st['Effect']} on {sorted(resources - allowed)}")
            wild = [a for a in st["Action"] if "*" in a or not a.startswith("s3:")]
            if wild:
                problems.append(f"{p.name}: actions {wild} beyond named S3 actions")
    return problems


def beat_and_release(plan: Plan) -> list[str]:
    """W3: one beat task whose deployment never overlaps; release gates web in its task; worker
    and beat roll out after web."""
    problems: list[str] = []
    tasks = _by(plan, TASK)
    by_process: dict[str, list[PlanResource]] = {}
    for svc in plan.of_type(SERVICE):
        for c in container_definitions(tasks[svc.inputs["taskDefinition"]]):
            if c.get("essential", True):
                by_process.setdefault(c["name"], []).append(svc)
    beats = by_process.get("beat", [])
    if len(beats) != 1:
        return [f"{len(beats)} beat services"]
    b = beats[0].inputs
    if (b.get("desiredCount"), b.get("deploymentMaximumPercent")) != (1, 100):
        problems.append(
            f"beat runs {b.get('desiredCount')} at up to {b.get('deploymentMaximumPercent')}%"
        )
    if b.get("deploymentMinimumHealthyPercent") != 0:
        problems.append("beat's deployment waits for a healthy old task: it would overlap")
    (web,) = by_process.get("web", [None])
    if web is None:
        return [*problems, "no web service"]
    defs = {c["name"]: c for c in container_definitions(tasks[web.inputs["taskDefinition"]])}
    release = defs.get("release")
    if release is None:
        problems.append("web's task has no release container")
    else:
        if release.get("essential") is not False or release.get("command") != ["release"]:
            problems.append("release must be a non-essential one-shot `release` container")
        gate = defs["web"].get("dependsOn", [])
        if {"containerName": "release", "condition": "SUCCESS"} not in gate:
            problems.append("web does not wait for release to succeed")
    for process in ("worker", "beat"):
        for svc in by_process.get(process, []):
            if web.urn not in svc.dependencies:
                problems.append(f"{svc.name} may roll out before web (and its release)")
    return problems


def container_shape(plan: Plan, region: str, port: int = 8000) -> list[str]:
    """Every container: awslogs to this stack's log group and region with its own prefix; web
    publishes the app port and checks liveness; others publish nothing; one image for all."""
    problems: list[str] = []
    groups = {g.inputs["name"] for g in plan.of_type(LOGS)}
    images = set()
    for task in app_tasks(plan):
        if task.inputs.get("networkMode") != "awsvpc" or task.inputs.get(
            "requiresCompatibilities"
        ) != ["FARGATE"]:
            problems.append(f"{task.name}: not a Fargate awsvpc task")
        for c in container_definitions(task):
            name = c["name"]
            images.add(c["image"])
            log = c.get("logConfiguration", {})
            opts = log.get("options", {})
            if log.get("logDriver") != "awslogs" or opts.get("awslogs-group") not in groups:
                problems.append(f"{task.name}/{name}: logs do not go to the stack's log group")
            if opts.get("awslogs-region") != region or opts.get("awslogs-stream-prefix") != name:
                problems.append(f"{task.name}/{name}: awslogs region/prefix {opts}")
            ports = c.get("portMappings", [])
            check = " ".join(c.get("healthCheck", {}).get("command", []))
            if name == "web":
                if [(p["containerPort"], p["protocol"]) for p in ports] != [(port, "tcp")]:
                    problems.append(f"{task.name}/web: port mappings {ports}")
                if LIVE_PATH not in check or f":{port}" not in check:
                    problems.append(f"{task.name}/web: health check does not probe {LIVE_PATH}")
            elif ports:
                problems.append(f"{task.name}/{name}: publishes {ports}")
    if len(images) != 1:
        problems.append(f"processes run {len(images)} different images")
    return problems


def load_balancer(plan: Plan, domain: str | None, port: int = 8000) -> list[str]:
    """W4: the target group checks readiness and serves web; HTTPS (TLS 1.2+) with redirect when
    the stack has a domain."""
    problems: list[str] = []
    groups = _by(plan, TG)
    web_groups = {
        lb["targetGroupArn"]
        for s in plan.of_type(SERVICE)
        for lb in s.inputs.get("loadBalancers", [])
        if lb.get("containerName") == "web" and lb.get("containerPort") == port
    }
    if len(web_groups) != 1:
        return [f"web is behind {len(web_groups)} target groups"]
    group = groups[web_groups.pop()].inputs
    if group.get("healthCheck", {}).get("path") != READY_PATH:
        problems.append(f"target group checks {group.get('healthCheck')} not {READY_PATH}")
    if (group.get("targetType"), group.get("port")) != ("ip", port):
        problems.append("target group does not reach Fargate tasks (ip) on the app port")
    listeners = {int(x.inputs["port"]): x.inputs for x in plan.of_type(LISTENER)}
    if domain:
        https = listeners.get(443, {})
        if https.get("protocol") != "HTTPS" or not https.get("certificateArn"):
            problems.append("no HTTPS listener with a certificate")
        if "TLS13" not in str(https.get("sslPolicy")):
            problems.append(f"HTTPS listener policy {https.get('sslPolicy')}")
        redirect = listeners.get(80, {}).get("defaultActions", [{}])[0]
        if redirect.get("type") != "redirect" or redirect["redirect"].get("protocol") != "HTTPS":
            problems.append("HTTP does not redirect to HTTPS")
    elif listeners.get(80, {}).get("defaultActions", [{}])[0].get("type") != "forward":
        problems.append("HTTP listener does not forward to web")
    return problems


def logs_retained(plan: Plan, days: int) -> list[str]:
    """O1: every log group expires its events, after at least the profile's period."""
    groups = plan.of_type(LOGS)
    if not groups:
        return ["no CloudWatch log group"]
    return [
        f"{g.name}: retention {g.inputs.get('retentionInDays')}"
        for g in groups
        if not g.inputs.get("retentionInDays") or int(g.inputs["retentionInDays"]) < days
    ]


def _accepts_tags(type_token: str) -> bool:
    """Whether the provider's resource takes `tags` (from its Args class in the SDK)."""
    package, module, name = type_token.split(":")
    sdk = importlib.import_module(f"pulumi_{package}.{module.split('/')[0]}")
    args = getattr(sdk, f"{name}Args", None)
    return args is not None and "tags" in inspect.signature(args.__init__).parameters


def tagged(plan: Plan, expected: dict[str, str]) -> list[str]:
    """O3: every AWS resource that can carry tags carries the stack's."""
    problems: list[str] = []
    taggable: dict[str, bool] = {}
    for r in plan.resources:
        if not r.custom or not r.type.startswith("aws:"):
            continue
        if r.type not in taggable:
            taggable[r.type] = _accepts_tags(r.type)
        tags: dict[str, Any] = r.inputs.get("tags") or {}
        if taggable[r.type] and {k: tags.get(k) for k in expected} != expected:
            problems.append(f"{r.name} ({r.type}): tags {tags}")
    return problems


# ---- IAM policies against AWS's own action and resource-type definitions (policy_sentry) -------

_LIT, _COLONLESS, _ANY = "lit", "colonless", "any"


def _tokens(pattern: str, *, arn_format: bool) -> list[tuple[str, str, bool]]:
    """`(class, char, repeats)` tokens: in a policy resource `*` is any run of characters; in an
    ARN format from the IAM definitions `${Name}` is one or more characters other than `:`."""
    out: list[tuple[str, str, bool]] = []
    for part in re.split(r"(\$\{[^}]+\}|\*)" if arn_format else r"(\*)", pattern):
        if part == "*" and not arn_format:
            out.append((_ANY, "", True))
        elif arn_format and part.startswith("${"):
            out += [(_COLONLESS, "", False), (_COLONLESS, "", True)]
        else:
            out += [(_LIT, c, False) for c in part]
    return out


def _overlap(a: tuple[str, str, bool], b: tuple[str, str, bool]) -> bool:
    (ka, ca, _), (kb, cb, _) = a, b
    if ka == _LIT and kb == _LIT:
        return ca == cb
    if _LIT in (ka, kb):
        return (ca or cb) != ":" or _ANY in (ka, kb)
    return True


def patterns_intersect(resource: str, arn_format: str) -> bool:
    """Whether some ARN matches both the policy's resource and the action's ARN format."""
    a, b = _tokens(resource, arn_format=False), _tokens(arn_format, arn_format=True)
    seen, todo = set(), [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i][2]:
            todo.append((i + 1, j))
        if j < len(b) and b[j][2]:
            todo.append((i, j + 1))
        if i < len(a) and j < len(b) and _overlap(a[i], b[j]):
            todo.append((i if a[i][2] else i + 1, j if b[j][2] else j + 1))
    return False


def iam_matches_aws_definitions(plan: Plan) -> list[str]:
    """Every action in every role policy exists in AWS's IAM definitions, and every resource is of
    a type that action applies to; `*` only for actions that take no resource type."""
    problems: list[str] = []
    for p in plan.of_type(ROLE_POLICY):
        for st in json.loads(p.inputs["policy"])["Statement"]:
            for action in st["Action"]:
                service, name = action.split(":", 1)
                formats = [
                    d["resource_arn_format"]
                    for d in get_action_data(service, name).get(service, [])
                ]
                if not formats:
                    problems.append(f"{p.name}: {action} is not an IAM action")
                    continue
                for resource in st["Resource"]:
                    if resource == "*":
                        if formats != ["*"]:
                            problems.append(f"{p.name}: {action} on * (it takes {formats})")
                    elif not any(f != "*" and patterns_intersect(resource, f) for f in formats):
                        problems.append(f"{p.name}: {action} does not apply to {resource}")
    return problems


# ---- issue 8 §2: deploys and destroys cleanly -------------------------------------------------


def dns_records(plan: Plan, domain: str, zone: str | None) -> list[str]:
    """With a hosted zone: the certificate's validation record is in it, the validation waits for
    exactly that record, and the domain is an alias of the balancer. Without one: the plan tells
    the operator which records to create (output `dnsRecordsToCreate`)."""
    problems: list[str] = []
    certs = plan.of_type(CERT)
    if len(certs) != 1:
        return [f"{len(certs)} certificates for {domain}"]
    options = certs[0].outputs.get("domainValidationOptions", [])
    wanted = {(o["resourceRecordName"].rstrip("."), o["resourceRecordValue"]) for o in options}
    records = plan.of_type(RECORD)
    validations = plan.of_type(CERT_VALIDATION)
    fqdns = {f for v in validations for f in v.inputs.get("validationRecordFqdns", [])}
    if zone is None:
        if records:
            problems.append(f"{len(records)} DNS records declared without a zone")
        listed = plan.outputs.get("dnsRecordsToCreate") or []
        named = {(r["name"].rstrip("."), r["value"]) for r in listed}
        if not wanted <= named:
            problems.append("dnsRecordsToCreate does not list the certificate's validation record")
        if not any(r["name"] == domain for r in listed):
            problems.append(f"dnsRecordsToCreate does not say where {domain} must point")
        return problems
    if "dnsRecordsToCreate" in plan.outputs:
        problems.append("a zone is managed, yet the operator is asked to create records")
    present = {
        (r.inputs["name"].rstrip("."), v) for r in records for v in r.inputs.get("records", [])
    }
    if not wanted or not wanted <= present:
        problems.append("the certificate's validation record is not in the zone")
    if {n for n, _ in wanted} - {f.rstrip(".") for f in fqdns}:
        problems.append("the certificate validation does not wait for the zone's record")
    (lb,) = plan.of_type(LB) or [None]
    alias = [
        r
        for r in records
        if r.inputs.get("name") == domain
        and r.inputs.get("type") == "A"
        and lb is not None
        and {(a.get("name"), a.get("zoneId")) for a in r.inputs.get("aliases", [])}
        == {(lb.outputs.get("dnsName"), lb.outputs.get("zoneId"))}
    ]
    if len(alias) != 1:
        problems.append(f"{domain} is not an alias A record of the load balancer")
    zone_ids = {r.inputs.get("zoneId") for r in records}
    if len(zone_ids) != 1 or None in zone_ids:
        problems.append(f"records are spread over zones {zone_ids}")
    return problems


def destroy_behaviour(plan: Plan, protected: bool) -> list[str]:
    """O5: outside production `pulumi destroy` needs no manual step (buckets and the image
    repository are emptied, nothing is protected, a final snapshot never reuses a previous
    destroy's name); production refuses twice (deletion protection and Pulumi `protect`) and
    keeps its objects and images."""
    problems: list[str] = []
    for b in plan.of_type(BUCKET):
        if b.inputs.get("forceDestroy") is not (not protected):
            problems.append(f"{b.name}: forceDestroy={b.inputs.get('forceDestroy')}")
    for r in plan.of_type(REPO):
        if r.inputs.get("forceDelete") is not (not protected):
            problems.append(f"{r.name}: forceDelete={r.inputs.get('forceDelete')}")
    for r in plan.of_type(RDS):
        if (r.inputs.get("deletionProtection") is True, r.protect) != (protected, protected):
            problems.append(
                f"{r.name}: deletionProtection={r.inputs.get('deletionProtection')} "
                f"protect={r.protect}"
            )
        if r.inputs.get("skipFinalSnapshot") is False:
            ident = str(r.inputs.get("finalSnapshotIdentifier", ""))
            sources = r.property_dependencies.get("finalSnapshotIdentifier", [])
            randoms = {x.urn for x in plan.of_type(RANDOM_ID)}
            if not set(sources) & randoms or not re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", ident):
                problems.append(
                    f"{r.name}: final snapshot {ident!r} is not unique per created instance "
                    "(a second destroy would collide with the first one's snapshot)"
                )
    for lb in plan.of_type(LB):
        if (lb.inputs.get("enableDeletionProtection") is True) != protected:
            problems.append(
                f"{lb.name}: deletion protection {lb.inputs.get('enableDeletionProtection')}"
            )
    for secret in plan.of_type(SECRET):
        if not protected and secret.inputs.get("recoveryWindowInDays") != 0:
            problems.append(f"{secret.name}: a destroyed secret blocks its name for days")
    return problems


def rollouts_gate_deploys(plan: Plan) -> list[str]:
    """W6: every ECS service's rollout fails `pulumi up` when its tasks never become stable
    (wait for steady state, circuit breaker with rollback)."""
    problems: list[str] = []
    for svc in plan.of_type(SERVICE):
        i = svc.inputs
        if i.get("waitForSteadyState") is not True:
            problems.append(f"{svc.name}: pulumi up does not wait for a steady state")
        breaker = i.get("deploymentCircuitBreaker") or {}
        if not (breaker.get("enable") and breaker.get("rollback")):
            problems.append(f"{svc.name}: no deployment circuit breaker with rollback")
    return problems


def _windows(window: str) -> list[tuple[int, int]]:
    """Minute-of-week intervals of `hh:mm-hh:mm` (daily) or `ddd:hh:mm-ddd:hh:mm`."""
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    def minute(part: str) -> tuple[int | None, int]:
        *day, h, m = part.split(":")
        return (days.index(day[0]) if day else None), int(h) * 60 + int(m)

    start, end = (minute(p) for p in window.split("-"))
    if start[0] is None:
        return [(d * 1440 + start[1], d * 1440 + end[1]) for d in range(7)]
    return [(start[0] * 1440 + start[1], (end[0] or 0) * 1440 + end[1])]


def cache_snapshots(plan: Plan, days: int) -> list[str]:
    """D4: the cache keeps `days` daily snapshots, taken outside its maintenance window."""
    problems: list[str] = []
    for r in plan.of_type(CACHE):
        i = r.inputs
        if int(i.get("snapshotRetentionLimit") or 0) < days:
            problems.append(f"{r.name}: snapshots kept {i.get('snapshotRetentionLimit')} < {days}")
        if days and not i.get("snapshotWindow"):
            problems.append(f"{r.name}: no snapshot window")
        if i.get("snapshotWindow") and i.get("maintenanceWindow"):
            snap, maint = _windows(i["snapshotWindow"]), _windows(i["maintenanceWindow"])
            if any(a < d and c < b for a, b in snap for c, d in maint):
                problems.append(f"{r.name}: snapshot and maintenance windows overlap")
    return problems


INTERFACE_SERVICES = ("ecr.api", "ecr.dkr", "secretsmanager", "logs")


def private_endpoints(plan: Plan, region: str, interface: bool) -> list[str]:
    """S3 through a gateway endpoint on every private route table; with `interface`, ECR
    (api, dkr), Secrets Manager and Logs through private-DNS interface endpoints in the private
    subnets, reachable on 443 from the service's group only."""
    problems: list[str] = []
    by_service = {e.inputs.get("serviceName"): e for e in plan.of_type(ENDPOINT)}
    s3 = by_service.get(f"com.amazonaws.{region}.s3")
    nat_tables = {
        r.inputs["routeTableId"] for r in plan.of_type(ROUTE) if r.inputs.get("natGatewayId")
    }
    if s3 is None or s3.inputs.get("vpcEndpointType") != "Gateway":
        problems.append("no S3 gateway endpoint")
    elif set(s3.inputs.get("routeTableIds", [])) != nat_tables:
        problems.append("the S3 gateway endpoint is not on every private route table")
    services = service_groups(plan)
    private = _private_subnets(plan)
    for name in INTERFACE_SERVICES:
        e = by_service.get(f"com.amazonaws.{region}.{name}")
        if not interface:
            if e is not None:
                problems.append(f"{name}: interface endpoint outside the profile that pays for it")
            continue
        if e is None:
            problems.append(f"no {name} interface endpoint")
            continue
        i = e.inputs
        if i.get("vpcEndpointType") != "Interface" or i.get("privateDnsEnabled") is not True:
            problems.append(f"{name}: not an interface endpoint with private DNS")
        if not i.get("subnetIds") or set(i["subnetIds"]) - private:
            problems.append(f"{name}: not in the private subnets")
        for group in i.get("securityGroupIds", []):
            rules = _rules_on(plan, INGRESS, group)
            reach = [
                r
                for r in rules
                if r.inputs.get("referencedSecurityGroupId") in services
                and (r.inputs.get("fromPort"), r.inputs.get("toPort")) == (443, 443)
            ]
            if not reach or len(reach) != len(rules):
                problems.append(f"{name}: group {group} does not admit exactly the service on 443")
    return problems


# ---- issue 8 §2b: an audit trail and an edge in production -----------------------------------


def _policy_statements(plan: Plan, bucket: PlanResource) -> list[dict[str, Any]]:
    docs = [
        json.loads(p.inputs["policy"])
        for p in plan.of_type(BUCKET_POLICY)
        if p.inputs.get("bucket") == bucket.id
    ]
    return [st for d in docs for st in d["Statement"]]


def alb_access_logs(plan: Plan, retention_days: int, elb_principal: dict[str, str]) -> list[str]:
    """The balancer logs to a bucket of its own: SSE-S3, public access blocked, ELB's log
    delivery allowed to write under the prefix, objects expired after the log retention, and the
    balancer declared after that policy."""
    problems: list[str] = []
    (lb,) = plan.of_type(LB) or [None]
    if lb is None:
        return ["no load balancer"]
    logs = lb.inputs.get("accessLogs") or {}
    if logs.get("enabled") is not True:
        return [f"{lb.name}: access logs off"]
    buckets = {b.id: b for b in log_buckets(plan)}
    bucket = buckets.get(logs.get("bucket"))
    if bucket is None:
        return [f"{lb.name}: logs to {logs.get('bucket')}, not a log bucket of its own"]
    sse = [s for s in plan.of_type(SSE) if s.inputs.get("bucket") == bucket.id]
    algos = {
        r["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
        for s in sse
        for r in s.inputs.get("rules", [])
    }
    if algos != {"AES256"}:
        problems.append(f"{bucket.name}: encryption {algos}; ALB logs need SSE-S3 (AES256)")
    blocks = [b for b in plan.of_type(BLOCK) if b.inputs.get("bucket") == bucket.id]
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    if not blocks or not all(blocks[0].inputs.get(f) is True for f in flags):
        problems.append(f"{bucket.name}: public access not blocked")
    prefix = f"{bucket.outputs['arn']}/{logs.get('prefix')}/AWSLogs/"
    writers = [
        st
        for st in _policy_statements(plan, bucket)
        if st["Effect"] == "Allow"
        and st["Principal"] == elb_principal
        and "s3:PutObject" in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
        and str(st["Resource"]).startswith(prefix)
    ]
    if not writers:
        problems.append(f"{bucket.name}: ELB log delivery {elb_principal} may not write {prefix}")
    expiry = [
        rule.get("expiration", {}).get("days")
        for lc in plan.of_type(LIFECYCLE)
        if lc.inputs.get("bucket") == bucket.id
        for rule in lc.inputs.get("rules", [])
        if rule.get("status") == "Enabled"
    ]
    if retention_days not in expiry:
        problems.append(f"{bucket.name}: logs expire after {expiry}, not {retention_days} days")
    policies = {p.urn for p in plan.of_type(BUCKET_POLICY) if p.inputs.get("bucket") == bucket.id}
    if not policies & plan.depends_on(lb.urn):
        problems.append(f"{lb.name}: created before ELB may write to its log bucket")
    return problems


MANAGED_GROUPS = {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}


def web_firewall(plan: Plan, retention_days: int) -> list[str]:
    """A regional WAFv2 web ACL on the balancer: both managed groups, a rate-based rule, logging
    to an `aws-waf-logs-` log group with retention."""
    problems: list[str] = []
    acls = plan.of_type(WEB_ACL)
    if len(acls) != 1:
        return [f"{len(acls)} web ACLs"]
    acl = acls[0]
    if acl.inputs.get("scope") != "REGIONAL":
        problems.append(f"{acl.name}: scope {acl.inputs.get('scope')}, an ALB needs REGIONAL")
    statements = [r.get("statement", {}) for r in acl.inputs.get("rules", [])]
    groups = {
        s["managedRuleGroupStatement"]["name"]
        for s in statements
        if s.get("managedRuleGroupStatement", {}).get("vendorName") == "AWS"
    }
    if MANAGED_GROUPS - groups:
        problems.append(f"{acl.name}: missing managed groups {sorted(MANAGED_GROUPS - groups)}")
    rated = [
        r
        for r in acl.inputs.get("rules", [])
        if r.get("statement", {}).get("rateBasedStatement") and "block" in r.get("action", {})
    ]
    if not rated:
        problems.append(f"{acl.name}: no blocking rate-based rule")
    lbs = {lb.outputs["arn"] for lb in plan.of_type(LB)}
    assoc = [
        a
        for a in plan.of_type(WEB_ACL_ASSOC)
        if a.inputs.get("webAclArn") == acl.outputs["arn"] and a.inputs.get("resourceArn") in lbs
    ]
    if not assoc:
        problems.append(f"{acl.name}: not associated with the load balancer")
    groups_by_arn = {g.outputs["arn"]: g for g in plan.of_type(LOGS)}
    logging = [
        g
        for c in plan.of_type(WEB_ACL_LOGGING)
        if c.inputs.get("resourceArn") == acl.outputs["arn"]
        for d in c.inputs.get("logDestinationConfigs", [])
        if (g := groups_by_arn.get(d)) is not None
    ]
    if not logging:
        problems.append(f"{acl.name}: WAF does not log to a CloudWatch log group")
    for g in logging:
        if not str(g.inputs.get("name", "")).startswith("aws-waf-logs-"):
            problems.append(f"{g.name}: WAF log group name must start with aws-waf-logs-")
        if int(g.inputs.get("retentionInDays") or 0) < retention_days:
            problems.append(f"{g.name}: WAF logs kept {g.inputs.get('retentionInDays')} days")
    return problems


def read_only_roots(plan: Plan) -> list[str]:
    """Every container's root filesystem is read-only, with the task's scratch volume writable
    at /tmp (uploads in progress, gunicorn's heartbeat files, beat's schedule)."""
    problems: list[str] = []
    for task in app_tasks(plan):
        volumes = {v["name"] for v in task.inputs.get("volumes", []) if not v.get("hostPath")}
        for c in container_definitions(task):
            where = f"{task.name}/{c['name']}"
            if c.get("readonlyRootFilesystem") is not True:
                problems.append(f"{where}: writable root filesystem")
            tmp = [m for m in c.get("mountPoints", []) if m.get("containerPath") == "/tmp"]
            if len(tmp) != 1 or tmp[0].get("readOnly") or tmp[0].get("sourceVolume") not in volumes:
                problems.append(f"{where}: no writable task volume at /tmp")
    return problems


def flow_logs(plan: Plan, retention_days: int) -> list[str]:
    """Every connection in the VPC is logged to CloudWatch Logs for the retention period, by a
    role only the flow logs service assumes."""
    problems: list[str] = []
    vpcs = {v.id for v in plan.of_type("aws:ec2/vpc:Vpc")}
    groups = {g.outputs["arn"]: g for g in plan.of_type(LOGS)}
    roles = {r.outputs["arn"]: r for r in plan.of_type(ROLE)}
    flows = [f for f in plan.of_type(FLOW_LOG) if f.inputs.get("vpcId") in vpcs]
    if not vpcs or {f.inputs.get("vpcId") for f in flows} != vpcs:
        return ["the VPC has no flow log"]
    for f in flows:
        i = f.inputs
        if i.get("trafficType") != "ALL":
            problems.append(f"{f.name}: logs {i.get('trafficType')} traffic only")
        group = groups.get(i.get("logDestination"))
        if i.get("logDestinationType") != "cloud-watch-logs" or group is None:
            problems.append(f"{f.name}: not delivered to a CloudWatch log group of the stack")
        elif int(group.inputs.get("retentionInDays") or 0) < retention_days:
            problems.append(f"{f.name}: kept {group.inputs.get('retentionInDays')} days")
        role = roles.get(i.get("iamRoleArn"))
        trust = json.loads(role.inputs["assumeRolePolicy"]) if role else {"Statement": []}
        principals = {str(st.get("Principal", {}).get("Service")) for st in trust["Statement"]}
        if principals != {"vpc-flow-logs.amazonaws.com"}:
            problems.append(f"{f.name}: delivery role trusted by {principals}")
    return problems


def media_access_logging(plan: Plan) -> list[str]:
    """Server access logs of every media bucket go to the log bucket, under a prefix, switched
    on only after the log bucket's policy lets S3 deliver them."""
    logs = {b.id for b in log_buckets(plan)}
    policies = {p.urn for p in plan.of_type(BUCKET_POLICY) if p.inputs.get("bucket") in logs}
    logged = {
        lg.inputs.get("bucket")
        for lg in plan.of_type(BUCKET_LOGGING)
        if lg.inputs.get("targetBucket") in logs
        and lg.inputs.get("targetPrefix")
        and policies & plan.depends_on(lg.urn)
    }
    return [
        f"{b.name}: no server access logging to the log bucket"
        for b in media_buckets(plan)
        if b.id not in logged
    ]


def default_group_closed(plan: Plan) -> list[str]:
    """The VPC's default security group is adopted with no rules at all."""
    vpcs = {v.id for v in plan.of_type("aws:ec2/vpc:Vpc")}
    adopted = {g.inputs.get("vpcId"): g for g in plan.of_type(DEFAULT_SG)}
    problems = [f"{vpc}: default security group keeps AWS's rules" for vpc in vpcs - set(adopted)]
    problems += [
        f"{g.name}: default security group has rules"
        for g in adopted.values()
        if g.inputs.get("ingress") or g.inputs.get("egress")
    ]
    return problems
