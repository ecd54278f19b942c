"""Issue 8 §2 and §2b on the AWS plan: a first deploy finishes unattended, a non-production
destroy needs no manual step, every rollout gates `pulumi up`, and production carries an audit
trail (access logs, flow logs, WAF logs) and an edge (WAF, private endpoints, read-only roots)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import aws_checks as checks
import pytest
import yaml
from aws_plans import ENVS, REPO, one, plan_for, plan_with, prod_config

from components import registry
from components.aws.logbucket import elb_principal
from core.profiles import PROFILES
from core.vocabulary import Env
from stacks.config import ConfigError, parse_stack_config
from stacks.offline import invariants

VIEW = registry.plan_view("aws")
REGION = "eu-west-1"
DOMAIN = "app.trudeploy.example.com"
ZONE = "trudeploy.example.com"


def profile(env: str):
    return PROFILES[Env(env)]


@pytest.mark.parametrize("env", ENVS)
def test_with_a_zone_the_first_deploy_validates_and_points_the_domain_itself(env: str) -> None:
    plan = plan_with(prod_config(env=env, dnsZone=ZONE))
    assert checks.dns_records(plan, DOMAIN, ZONE) == []
    assert plan.unsimulated_types == []
    # every record lands in the zone looked up by name
    zone_ids = {r.inputs["zoneId"] for r in plan.of_type(checks.RECORD)}
    assert len(zone_ids) == 1 and next(iter(zone_ids)).startswith("Z")


def test_without_a_zone_the_operator_is_told_which_records_to_create() -> None:
    plan = plan_for("production")
    assert checks.dns_records(plan, DOMAIN, None) == []
    assert plan.of_type(checks.RECORD) == []
    listed = plan.outputs["dnsRecordsToCreate"]
    assert listed[-1]["value"] == one(plan, checks.LB).outputs["dnsName"]


def _config(**keys: object) -> dict[str, object]:
    base: dict[str, object] = {
        "trudeploy:env": "development",
        "trudeploy:target": "aws",
        "aws:region": REGION,
    }
    return {**base, **{f"trudeploy:{k}": v for k, v in keys.items()}}


def test_a_zone_without_a_domain_or_outside_it_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="trudeploy:dnsZone is set but trudeploy:domain"):
        parse_stack_config(_config(dnsZone=ZONE), "Pulumi.x.yaml")
    for domain in ("app.example.org", "app.nottrudeploy.example.com"):
        with pytest.raises(ConfigError, match="is not within trudeploy:dnsZone"):
            parse_stack_config(_config(dnsZone=ZONE, domain=domain), "Pulumi.x.yaml")
    for domain in (ZONE, DOMAIN, f"a.b.{ZONE}"):
        cfg = parse_stack_config(_config(dnsZone=ZONE, domain=domain), "Pulumi.x.yaml")
        assert cfg.settings()["trudeploy:dnsZone"] == ZONE
    with pytest.raises(ConfigError, match="trudeploy:dnsZone: String should match pattern"):
        parse_stack_config(_config(dnsZone="Not A Zone", domain=DOMAIN), "Pulumi.x.yaml")


@pytest.mark.parametrize("env", ["staging", "production"])
def test_https_envs_on_aws_without_a_domain_are_refused(env: str) -> None:
    with pytest.raises(ConfigError, match=f"trudeploy:domain is required for env {env}"):
        parse_stack_config(_config(env=env), "Pulumi.x.yaml")
    with pytest.raises(ConfigError, match="trudeploy:domain is required"):
        plan_with(prod_config(env=env, domain=None))
    # a target that does not put the service behind its own HTTP-only balancer needs no domain
    parse_stack_config({**_config(env=env), "trudeploy:target": "docker"}, "Pulumi.x.yaml")


@pytest.mark.parametrize("env", ENVS)
def test_destroy_is_clean_outside_production_and_refused_in_it(env: str) -> None:
    plan = plan_for(env)
    protected = profile(env).deletion_protection
    assert checks.destroy_behaviour(plan, protected) == []
    # the check tells the two apart
    assert checks.destroy_behaviour(plan, not protected)


def test_final_snapshot_names_differ_between_created_instances() -> None:
    staging = plan_for("staging")
    rds = one(staging, checks.RDS).inputs
    suffix = one(staging, checks.RANDOM_ID).outputs["hex"]
    assert rds["finalSnapshotIdentifier"] == f"trudeploy-prod-postgres-final-{suffix}"
    assert one(plan_for("development"), checks.RDS).inputs["skipFinalSnapshot"] is True


@pytest.mark.parametrize("env", ENVS)
def test_every_rollout_gates_pulumi_up(env: str) -> None:
    plan = plan_for(env)
    assert checks.rollouts_gate_deploys(plan) == []
    assert checks.beat_and_release(plan) == []  # beat still never overlaps


@pytest.mark.parametrize("env", ENVS)
def test_the_cache_is_snapshotted_for_the_profile_period(env: str) -> None:
    days = profile(env).cache_snapshot_days
    plan = plan_for(env)
    assert checks.cache_snapshots(plan, days) == []
    assert one(plan, checks.CACHE).inputs["snapshotRetentionLimit"] == days


@pytest.mark.parametrize("env", ENVS)
def test_private_endpoints_follow_the_profile(env: str) -> None:
    plan = plan_for(env)
    interface = profile(env).private_endpoints
    assert checks.private_endpoints(plan, REGION, interface) == []
    assert checks.private_endpoints(plan, REGION, not interface)


@pytest.mark.parametrize("env", ENVS)
def test_stateful_view_reads_the_inputs_that_keep_data(env: str) -> None:
    found = VIEW.stateful(plan_for(env))
    assert sorted(s.capability for s in found) == ["postgres", "redis", "storage"]
    assert all(s.persistent for s in found)


@pytest.mark.parametrize("env", ENVS)
def test_read_only_root_filesystems_with_a_scratch_volume(env: str) -> None:
    assert checks.read_only_roots(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_the_default_security_group_is_emptied(env: str) -> None:
    assert checks.default_group_closed(plan_for(env)) == []


@pytest.mark.parametrize("env", ENVS)
def test_audit_trail_and_edge_follow_the_profile(env: str) -> None:
    plan = plan_for(env)
    p = profile(env)
    results = {
        "alb access logs": checks.alb_access_logs(
            plan, p.log_retention_days, elb_principal(REGION)
        ),
        "flow logs": checks.flow_logs(plan, p.log_retention_days),
        "media access logs": checks.media_access_logging(plan),
        "waf": checks.web_firewall(plan, p.log_retention_days),
    }
    expected = {
        "alb access logs": p.audit_logs,
        "flow logs": p.audit_logs,
        "media access logs": p.audit_logs,
        "waf": p.edge_protection,
    }
    for name, holds in expected.items():
        assert (results[name] == []) is holds, (name, results[name])
    assert invariants.violations(plan, VIEW) == []


def test_elb_log_delivery_principal_depends_on_the_region_age() -> None:
    assert elb_principal("eu-west-1") == {"AWS": "arn:aws:iam::156460612806:root"}
    assert elb_principal("ap-southeast-5") == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
    }
    plan = plan_with({**prod_config(env="production"), "aws:region": "ap-southeast-5"})
    days = profile("production").log_retention_days
    assert checks.alb_access_logs(plan, days, elb_principal("ap-southeast-5")) == []


def test_trudeploy_validate_refuses_a_production_aws_stack_without_a_domain(tmp_path) -> None:
    """The operator's view: exit 2, the file and the key named, no traceback."""
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.prod.yaml").write_text(
        yaml.safe_dump({"config": prod_config(env="production", domain=None)})
    )
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "validate", "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode == 2, out
    assert "Pulumi.prod.yaml" in out and "trudeploy:domain is required" in out
    assert "Traceback" not in out


def test_allow_destroy_lifts_production_protection_on_purpose_and_keeps_the_final_snapshot() -> (
    None
):
    protected = plan_for("production")
    lifted = plan_with(prod_config(env="production", allowDestroy=True))
    for plan, on in ((protected, True), (lifted, False)):
        rds = one(plan, checks.RDS)
        assert rds.inputs["deletionProtection"] is on
        assert rds.protect is on
        assert one(plan, checks.LB).inputs["enableDeletionProtection"] is on
        assert checks.destroy_behaviour(plan, on) == []
        # the data is still kept: a final snapshot is taken on destroy
        assert rds.inputs["skipFinalSnapshot"] is False
