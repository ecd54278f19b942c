"""Each AWS check fails on a deliberately broken copy of a passing plan (negative controls), so a
green plan test means the rule holds, not that the check is blind."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import aws_checks as checks
from aws_plans import plan_for, plan_with, prod_config

from components import registry
from core.plan import Plan, PlanResource
from stacks.offline import invariants

VIEW = registry.plan_view("aws")


def broken(mutate: Callable[[Plan], None], env: str = "production") -> Plan:
    plan = copy.deepcopy(plan_for(env))
    mutate(plan)
    return plan


def named(plan: Plan, suffix: str, type_token: str | None = None) -> PlanResource:
    return next(
        r
        for r in plan.resources
        if r.custom and r.name.endswith(suffix) and type_token in (None, r.type)
    )


def edit_containers(plan: Plan, task_suffix: str, edit: Callable[[list[dict]], None]) -> None:
    task = named(plan, task_suffix, checks.TASK)
    defs = json.loads(task.inputs["containerDefinitions"])
    edit(defs)
    task.inputs["containerDefinitions"] = json.dumps(defs)


def test_a_public_or_foreign_rule_on_postgres_is_caught() -> None:
    def open_to_world(plan: Plan) -> None:
        rule = named(plan, "postgres-sg-from-service")
        del rule.inputs["referencedSecurityGroupId"]
        rule.inputs["cidrIpv4"] = "0.0.0.0/0"

    def wider_ports(plan: Plan) -> None:
        named(plan, "redis-sg-from-service").inputs["toPort"] = 6400

    plan = broken(open_to_world)
    assert checks.only_service_reaches_state(plan)
    assert checks.nothing_stateful_public(plan)
    assert checks.only_service_reaches_state(broken(wider_ports))


def test_a_database_nobody_can_reach_is_caught() -> None:
    def drop_egress(plan: Plan) -> None:
        plan.resources.remove(named(plan, "postgres-sg-service-out"))

    assert checks.only_service_reaches_state(broken(drop_egress))


def test_a_public_database_or_task_is_caught() -> None:
    def public_rds(plan: Plan) -> None:
        named(plan, "postgres-instance").inputs["publiclyAccessible"] = True

    def public_tasks(plan: Plan) -> None:
        named(plan, "app-worker", checks.SERVICE).inputs["networkConfiguration"][
            "assignPublicIp"
        ] = True

    def public_subnet_cache(plan: Plan) -> None:
        group = named(plan, "redis-subnets")
        public = named(plan, "network-public-0")
        group.inputs["subnetIds"] = [public.id]

    def open_bucket(plan: Plan) -> None:
        named(plan, "storage-public-access").inputs["restrictPublicBuckets"] = False

    for mutate in (public_rds, public_tasks, public_subnet_cache, open_bucket):
        assert checks.nothing_stateful_public(broken(mutate)), mutate.__name__


def test_missing_encryption_or_tls_is_caught() -> None:
    def no_force_ssl(plan: Plan) -> None:
        named(plan, "postgres-params").inputs["parameters"][0]["value"] = "0"

    def plain_cache(plan: Plan) -> None:
        named(plan, "redis-group").inputs["transitEncryptionEnabled"] = False

    def unencrypted_db(plan: Plan) -> None:
        named(plan, "postgres-instance").inputs["storageEncrypted"] = False

    def plain_urls(plan: Plan) -> None:
        doc = checks.secret_document(plan)
        doc["REDIS_URL"] = doc["REDIS_URL"].replace("rediss://", "redis://")
        doc["DATABASE_URL"] = doc["DATABASE_URL"].replace("?sslmode=require", "")
        plan.secret_values = frozenset(
            {s for s in plan.secret_values if "DATABASE_URL" not in s} | {json.dumps(doc)}
        )

    for mutate in (no_force_ssl, plain_cache, unencrypted_db):
        assert checks.encrypted_and_tls(broken(mutate)), mutate.__name__
    assert len(checks.encrypted_and_tls(broken(plain_urls))) == 2


def test_secrets_in_plain_env_or_leaked_values_are_caught() -> None:
    def secret_in_env(plan: Plan) -> None:
        def move(defs: list[dict]) -> None:
            web = defs[-1]
            web["secrets"] = [s for s in web["secrets"] if s["name"] != "SECRET_KEY"]
            web["environment"].append({"name": "SECRET_KEY", "value": "x"})

        edit_containers(plan, "app-web", move)

    def leak(plan: Plan) -> None:
        password = max(plan.secret_values, key=len)
        named(plan, "app-worker", checks.SERVICE).inputs["name"] = password

    def broad_reader(plan: Plan) -> None:
        policy = named(plan, "roles-execution", checks.ROLE_POLICY)
        doc = json.loads(policy.inputs["policy"])
        doc["Statement"][0]["Resource"] = ["*"]
        policy.inputs["policy"] = json.dumps(doc)

    assert checks.secrets_through_secrets_manager(broken(secret_in_env))
    assert invariants.no_plaintext_secrets(broken(leak))
    assert checks.secrets_through_secrets_manager(broken(broad_reader))


def test_a_task_role_beyond_the_bucket_is_caught() -> None:
    def widen(plan: Plan) -> None:
        policy = named(plan, "roles-task-bucket", checks.ROLE_POLICY)
        doc = json.loads(policy.inputs["policy"])
        doc["Statement"][1]["Resource"] = ["arn:aws:s3:::*"]
        doc["Statement"][0]["Action"] = ["s3:*"]
        policy.inputs["policy"] = json.dumps(doc)

    assert len(checks.task_role_scoped_to_bucket(broken(widen))) == 2


def test_two_beats_an_overlapping_beat_or_an_ungated_web_are_caught() -> None:
    def overlap(plan: Plan) -> None:
        named(plan, "app-beat", checks.SERVICE).inputs["deploymentMaximumPercent"] = 200

    def second_beat(plan: Plan) -> None:
        named(plan, "app-beat", checks.SERVICE).inputs["desiredCount"] = 2

    def ungated(plan: Plan) -> None:
        edit_containers(plan, "app-web", lambda defs: defs[-1].pop("dependsOn"))

    def essential_release(plan: Plan) -> None:
        edit_containers(plan, "app-web", lambda defs: defs[0].update(essential=True))

    def early_worker(plan: Plan) -> None:
        worker = named(plan, "app-worker", checks.SERVICE)
        web = named(plan, "app-web", checks.SERVICE)
        worker.dependencies = [d for d in worker.dependencies if d != web.urn]

    for mutate in (overlap, second_beat, ungated, essential_release, early_worker):
        assert checks.beat_and_release(broken(mutate)), mutate.__name__


def test_bad_container_shape_is_caught() -> None:
    def no_logs(plan: Plan) -> None:
        edit_containers(plan, "app-worker", lambda defs: defs[0].pop("logConfiguration"))

    def worker_port(plan: Plan) -> None:
        edit_containers(
            plan,
            "app-worker",
            lambda defs: defs[0].update(portMappings=[{"containerPort": 5555, "protocol": "tcp"}]),
        )

    def no_probe(plan: Plan) -> None:
        edit_containers(plan, "app-web", lambda defs: defs[-1].pop("healthCheck"))

    for mutate in (no_logs, worker_port, no_probe):
        assert checks.container_shape(broken(mutate), "eu-west-1"), mutate.__name__
    assert checks.container_shape(plan_for("production"), "us-east-1")


def test_wrong_health_path_plain_http_and_short_logs_are_caught() -> None:
    def live_only(plan: Plan) -> None:
        named(plan, "lb-web").inputs["healthCheck"]["path"] = "/api/v1/health/live/"

    def no_redirect(plan: Plan) -> None:
        named(plan, "lb-http").inputs["defaultActions"][0]["type"] = "forward"

    assert checks.load_balancer(broken(live_only), "app.trudeploy.example.com")
    assert invariants.health_paths(broken(live_only), VIEW)
    assert checks.load_balancer(broken(no_redirect), "app.trudeploy.example.com")
    assert checks.logs_retained(plan_for("production"), 365)


def test_an_untagged_resource_is_caught() -> None:
    def untag(plan: Plan) -> None:
        named(plan, "redis-group").inputs["tags"] = {"project": "trudeploy"}

    problems = checks.tagged(broken(untag), {"project": "trudeploy", "stack": "prod"})
    assert len(problems) == 1 and "redis-group" in problems[0]


def test_an_unknown_action_or_a_resource_of_the_wrong_type_is_caught() -> None:
    def misuse(plan: Plan) -> None:
        policy = named(plan, "roles-task-bucket", checks.ROLE_POLICY)
        doc = json.loads(policy.inputs["policy"])
        doc["Statement"][0]["Action"] = ["s3:ListBuckett", "s3:GetBucketLocation"]
        doc["Statement"][1]["Resource"] = [named(plan, "secrets-env", checks.SECRET).outputs["arn"]]
        policy.inputs["policy"] = json.dumps(doc)

    problems = checks.iam_matches_aws_definitions(broken(misuse))
    assert any("s3:ListBuckett is not an IAM action" in p for p in problems)
    assert len([p for p in problems if "does not apply to arn:aws:secretsmanager" in p]) == 4


def test_pattern_intersection_reads_wildcards_and_arn_variables() -> None:
    bucket, obj = (
        "arn:${Partition}:s3:::${BucketName}",
        "arn:${Partition}:s3:::${BucketName}/${Key}",
    )
    stream = "arn:${Partition}:logs:${Region}:${Account}:log-group:${Group}:log-stream:${Stream}"
    assert checks.patterns_intersect("arn:aws:s3:::media", bucket)
    assert not checks.patterns_intersect("arn:aws:s3:::media", obj)
    assert checks.patterns_intersect("arn:aws:s3:::media/*", obj)
    assert checks.patterns_intersect("arn:aws:logs:eu-west-1:1:log-group:/ecs/app:*", stream)
    assert not checks.patterns_intersect("arn:aws:logs:eu-west-1:1:log-group:/ecs/app", stream)


# ---- issue 8 §2 / §2b ------------------------------------------------------------------------

ZONE = "trudeploy.example.com"
DOMAIN = "app.trudeploy.example.com"


def test_missing_or_misdirected_zone_records_are_caught() -> None:
    zoned = plan_with(prod_config(env="production", dnsZone=ZONE))

    def no_validation_record(plan: Plan) -> None:
        plan.resources.remove(named(plan, "lb-cert-record"))

    def validation_waits_for_nothing(plan: Plan) -> None:
        named(plan, "lb-cert-validation").inputs.pop("validationRecordFqdns")

    def alias_elsewhere(plan: Plan) -> None:
        named(plan, "lb-alias").inputs["aliases"][0]["name"] = "elsewhere.example.net"

    for mutate in (no_validation_record, validation_waits_for_nothing, alias_elsewhere):
        plan = copy.deepcopy(zoned)
        mutate(plan)
        assert checks.dns_records(plan, DOMAIN, ZONE), mutate.__name__

    def silent(plan: Plan) -> None:
        plan.outputs.pop("dnsRecordsToCreate")

    assert len(checks.dns_records(broken(silent), DOMAIN, None)) == 2


def test_a_destroy_that_needs_manual_steps_is_caught() -> None:
    def kept_objects(plan: Plan) -> None:
        named(plan, "storage-bucket").inputs["forceDestroy"] = False

    def kept_images(plan: Plan) -> None:
        named(plan, "image-repo").inputs["forceDelete"] = False

    def fixed_snapshot_name(plan: Plan) -> None:
        rds = named(plan, "postgres-instance")
        rds.inputs["finalSnapshotIdentifier"] = "trudeploy-prod-postgres-final"
        rds.property_dependencies.pop("finalSnapshotIdentifier", None)

    for mutate in (kept_objects, kept_images, fixed_snapshot_name):
        assert checks.destroy_behaviour(broken(mutate, "staging"), False), mutate.__name__

    def unprotected(plan: Plan) -> None:
        named(plan, "postgres-instance").protect = False

    assert checks.destroy_behaviour(broken(unprotected), True)


def test_an_ungated_rollout_is_caught() -> None:
    def fire_and_forget(plan: Plan) -> None:
        named(plan, "app-worker", checks.SERVICE).inputs["waitForSteadyState"] = False

    def no_rollback(plan: Plan) -> None:
        named(plan, "app-beat", checks.SERVICE).inputs["deploymentCircuitBreaker"]["rollback"] = (
            False
        )

    for mutate in (fire_and_forget, no_rollback):
        assert checks.rollouts_gate_deploys(broken(mutate)), mutate.__name__


def test_missing_or_clashing_cache_snapshots_are_caught() -> None:
    def no_snapshots(plan: Plan) -> None:
        named(plan, "redis-group").inputs["snapshotRetentionLimit"] = 0

    def clash(plan: Plan) -> None:
        named(plan, "redis-group").inputs["snapshotWindow"] = "05:30-06:30"

    for mutate in (no_snapshots, clash):
        assert checks.cache_snapshots(broken(mutate), 7), mutate.__name__


def test_missing_or_open_endpoints_are_caught() -> None:
    def no_s3(plan: Plan) -> None:
        plan.resources.remove(named(plan, "endpoints-s3"))

    def public_dns_off(plan: Plan) -> None:
        named(plan, "endpoints-ecr-dkr").inputs["privateDnsEnabled"] = False

    def open_group(plan: Plan) -> None:
        rule = named(plan, "endpoints-sg-from-service")
        del rule.inputs["referencedSecurityGroupId"]
        rule.inputs["cidrIpv4"] = "0.0.0.0/0"

    for mutate in (no_s3, public_dns_off, open_group):
        assert checks.private_endpoints(broken(mutate), "eu-west-1", True), mutate.__name__
    assert checks.nothing_stateful_public(broken(open_group))


def test_stores_that_lose_their_data_are_not_called_persistent() -> None:
    def no_backups(plan: Plan) -> None:
        named(plan, "postgres-instance").inputs["backupRetentionPeriod"] = 0

    def lone_cache_node(plan: Plan) -> None:
        named(plan, "redis-group").inputs["snapshotRetentionLimit"] = 0

    def expiring_media(plan: Plan) -> None:
        rules = named(plan, "storage-lifecycle").inputs["rules"]
        rules.append({"id": "x", "status": "Enabled", "filter": {}, "expiration": {"days": 30}})

    for mutate in (no_backups, lone_cache_node, expiring_media):
        problems = invariants.stateful_persistent(broken(mutate, "development"), VIEW)
        assert len(problems) == 1 and "no persistent storage" in problems[0], mutate.__name__


def test_a_missing_audit_trail_or_edge_is_caught() -> None:
    days = 90
    principal = {"AWS": "arn:aws:iam::156460612806:root"}

    def kms_logs(plan: Plan) -> None:
        rule = named(plan, "audit-logs-sse").inputs["rules"][0]
        rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] = "aws:kms"

    def no_elb_writer(plan: Plan) -> None:
        policy = named(plan, "audit-logs-policy")
        doc = json.loads(policy.inputs["policy"])
        doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != "AlbAccessLogs"]
        policy.inputs["policy"] = json.dumps(doc)

    def logs_forever(plan: Plan) -> None:
        named(plan, "audit-logs-lifecycle").inputs["rules"][0]["expiration"]["days"] = 3650

    def logs_off(plan: Plan) -> None:
        named(plan, "lb-alb").inputs["accessLogs"]["enabled"] = False

    for mutate in (kms_logs, no_elb_writer, logs_forever, logs_off):
        assert checks.alb_access_logs(broken(mutate), days, principal), mutate.__name__

    def global_acl(plan: Plan) -> None:
        named(plan, "waf-acl").inputs["scope"] = "CLOUDFRONT"

    def no_bad_inputs(plan: Plan) -> None:
        named(plan, "waf-acl").inputs["rules"].pop()

    def no_rate_limit(plan: Plan) -> None:
        named(plan, "waf-acl").inputs["rules"].pop(0)

    def unattached(plan: Plan) -> None:
        plan.resources.remove(named(plan, "waf-alb"))

    def wrong_log_name(plan: Plan) -> None:
        named(plan, "waf-logs").inputs["name"] = "/waf/trudeploy"

    for mutate in (global_acl, no_bad_inputs, no_rate_limit, unattached, wrong_log_name):
        assert checks.web_firewall(broken(mutate), days), mutate.__name__

    def writable_root(plan: Plan) -> None:
        edit_containers(plan, "app-beat", lambda d: d[0].update(readonlyRootFilesystem=False))

    def no_tmp(plan: Plan) -> None:
        edit_containers(plan, "app-web", lambda d: d[-1].update(mountPoints=[]))

    for mutate in (writable_root, no_tmp):
        assert checks.read_only_roots(broken(mutate)), mutate.__name__

    def accepted_only(plan: Plan) -> None:
        named(plan, "flow-logs-vpc").inputs["trafficType"] = "ACCEPT"

    def no_flow_logs(plan: Plan) -> None:
        plan.resources.remove(named(plan, "flow-logs-vpc"))

    for mutate in (accepted_only, no_flow_logs):
        assert checks.flow_logs(broken(mutate), days), mutate.__name__

    def unlogged_media(plan: Plan) -> None:
        plan.resources.remove(named(plan, "storage-access-logs"))

    assert checks.media_access_logging(broken(unlogged_media))

    def open_default(plan: Plan) -> None:
        named(plan, "network-default-sg").inputs["ingress"] = [
            {"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}
        ]

    def default_untouched(plan: Plan) -> None:
        plan.resources.remove(named(plan, "network-default-sg"))

    for mutate in (open_default, default_untouched):
        assert checks.default_group_closed(broken(mutate, "development")), mutate.__name__
