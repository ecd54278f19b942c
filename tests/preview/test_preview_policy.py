"""The policy pack's policies (stacks/policy.py) run on the resources of real offline plans, handed
over the way the engine hands them to a pack (PolicyResource with parent and dependency objects),
and judge them as `trudeploy plan` does."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel, PolicyResource, StackValidationArgs
from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResourceOptions, _NotApplicableError
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from components import registry
from core.plan import Plan
from core.vocabulary import TargetName
from stacks.offline import invariants
from stacks.offline.runner import build_plan
from stacks.policy import EXCEPTIONS_POLICY, ID_LINKED, plan_from, policies, policy_name

REPO = Path(__file__).resolve().parents[2]
POLICIES = {p.name: p for p in policies()}


@cache
def repo_plan(stack: str) -> Plan:
    return build_plan(stack, REPO)


def engine_resources(plan: Plan) -> list[PolicyResource]:
    """What AnalyzeStack builds from the engine's request: props behind the unknown-checking
    proxy, parent and dependencies as resource objects."""
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    made = {
        r.urn: PolicyResource(
            r.type,
            unknown_checking_proxy({**r.inputs, **r.outputs}),
            r.urn,
            r.name,
            copy.copy(opts),
            None,
            None,
            [],
            {},
        )
        for r in plan.resources
    }
    for r in plan.resources:
        res = made[r.urn]
        res.opts.protect = r.protect
        res.parent = made.get(r.parent) if r.parent else None
        res.dependencies = [made[d] for d in r.dependencies if d in made]
        res.property_dependencies = {
            k: [made[d] for d in v if d in made] for k, v in r.property_dependencies.items()
        }
    return list(made.values())


def run(plan: Plan) -> dict[str, list[tuple[str, str | None]] | str]:
    """policy name -> reported (message, urn) list, or `not applicable: reason`."""
    results: dict[str, list[tuple[str, str | None]] | str] = {}
    for name, policy in POLICIES.items():
        reported: list[tuple[str, str | None]] = []
        try:
            policy.validate(
                StackValidationArgs(engine_resources(plan)),
                lambda message, urn=None, acc=reported: acc.append((message, urn)),
            )
        except _NotApplicableError as exc:
            results[name] = f"not applicable: {exc.reason}"
            continue
        results[name] = reported
    return results


def test_one_mandatory_policy_per_invariant_and_an_advisory_one_for_exceptions() -> None:
    assert set(POLICIES) == {policy_name(r) for r in invariants.CHECKS} | {EXCEPTIONS_POLICY}
    for rule in invariants.CHECKS:
        assert POLICIES[policy_name(rule)].enforcement_level == EnforcementLevel.MANDATORY
    assert POLICIES[EXCEPTIONS_POLICY].enforcement_level == EnforcementLevel.ADVISORY


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_repo_stacks_pass_every_policy(stack: str) -> None:
    results = run(repo_plan(stack))
    s1 = policy_name("S1 no plaintext secrets")
    assert str(results.pop(s1)).startswith("not applicable: a policy pack receives secret values")
    assert results == {name: [] for name in results}


def test_render_policies_say_why_they_cannot_judge_a_live_stack() -> None:
    """Render's view links resources by id, which the engine does not send a pack."""
    results = run(repo_plan("staging"))
    s1 = policy_name("S1 no plaintext secrets")
    assert (
        results.pop(s1) == f"not applicable: {invariants.OFFLINE_ONLY['S1 no plaintext secrets']}"
    )
    assert set(results.values()) == {f"not applicable: {ID_LINKED[TargetName.render]}"}


def test_documented_exceptions_are_reported_by_the_advisory_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A docker plan without the liveness probe, judged by a view that documents that gap, warns
    instead of failing."""
    plan = copy.deepcopy(repo_plan("dev"))
    for r in plan.resources:
        if "healthcheck" in r.inputs:
            r.inputs["healthcheck"] = json.loads(
                json.dumps(r.inputs["healthcheck"]).replace("/health/live/", "/health/other/")
            )
    docker = registry.plan_view("docker")

    class Excusing:
        processes = staticmethod(docker.processes)
        stateful = staticmethod(docker.stateful)

        @staticmethod
        def unexplained(plan: Plan, found: list[str]) -> list[str]:
            return [v for v in found if not v.startswith("W4 health paths")]

    broken_before = run(plan)[policy_name("W4 health paths")]
    assert broken_before and all(
        "no health check on /api/v1/health/live/" in m for m, _ in broken_before
    )
    monkeypatch.setattr(registry, "plan_view", lambda target: Excusing())
    results = run(plan)
    assert results[policy_name("W4 health paths")] == []
    warnings = results[EXCEPTIONS_POLICY]
    assert [m for m, _ in warnings] == [f"documented exception: {m}" for m, _ in broken_before]
    assert all(urn and urn.startswith("urn:pulumi:dev::trudeploy::") for _, urn in warnings)


def without(plan: Plan, fragment: str) -> Plan:
    broken = copy.deepcopy(plan)
    broken.resources = [r for r in broken.resources if fragment not in r.name]
    return broken


def test_a_missing_beat_fails_its_policy_as_it_fails_the_plan() -> None:
    plan = without(repo_plan("dev"), "-beat")
    results = run(plan)
    assert results[policy_name("W3 exactly one beat")] == [
        ("W3 exactly one beat: expected exactly one beat, found 0", None)
    ]
    broken, _ = invariants.judged(plan, registry.plan_view("docker"))
    assert "W3 exactly one beat: expected exactly one beat, found 0" in broken


def test_web_not_after_release_names_the_web_resource() -> None:
    plan = copy.deepcopy(repo_plan("dev"))
    release = {r.urn for r in plan.resources if r.name.endswith("-release")}
    for r in plan.resources:
        r.dependencies = [d for d in r.dependencies if d not in release]
        r.property_dependencies = {
            k: [d for d in v if d not in release] for k, v in r.property_dependencies.items()
        }
    reported = run(plan)[policy_name("W3 release before web")]
    assert reported, "web no longer depends on the release"
    message, urn = reported[0]
    assert (urn and urn.endswith("-app-web-0")) or "web" in str(urn)
    assert message.startswith(f"W3 release before web: {urn} is not ordered after")


def test_unknown_preview_values_become_visible_placeholders() -> None:
    plan = repo_plan("dev")
    resources = engine_resources(plan)
    target = resources[-1]
    target.props = unknown_checking_proxy({"name": UNKNOWN_STRING_VALUE, "list": [1]})
    rebuilt = {r.urn: r for r in plan_from(resources).resources}[target.urn]
    assert rebuilt.inputs == {"name": "[unknown]", "list": [1]}
    assert rebuilt.parent == plan.by_urn()[target.urn].parent
