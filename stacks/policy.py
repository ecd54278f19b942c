"""The invariants (stacks/offline/invariants.py) as Pulumi policies, for `pulumi preview
--policy-pack policy` and `pulumi up` (policy/__main__.py is the pack).

One definition of each rule, two adapters: `trudeploy plan` runs the checks on the offline plan;
here each check becomes a stack validation policy that rebuilds the same `Plan` shape from the
resources the engine hands the pack (type, props, parent, dependencies, property dependencies,
protect) and runs the same check through the same `invariants.judged`, with the same target plan
view. What the target documents as an exception it cannot meet is reported by one advisory policy
(a warning); everything else is mandatory (the preview fails). A rule a live preview cannot judge
(`invariants.OFFLINE_ONLY`) reports itself not applicable, with the reason.

During a preview, outputs the cloud has not computed yet are unknown: they are recorded as
`[unknown]`, so a check reads them as absent values rather than the policy being skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from components import registry
from core.plan import Plan, PlanResource, PlanView
from core.vocabulary import TargetName
from stacks.offline import invariants

UNKNOWNS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)
SHOWN_UNKNOWN = "[unknown]"
ID_LINKED: dict[TargetName, str] = {
    TargetName.render: "the render plan view links services, deploys and env groups by resource "
    "id, which the engine does not hand a policy pack; `trudeploy plan` enforces these rules",
}
"""Targets whose plan view cannot judge the engine's resources, with why: their policies report
not applicable rather than failing a sound stack or passing an unjudged one."""
EXCEPTIONS_POLICY = "documented-exceptions"


def policy_name(rule: str) -> str:
    """`W3 exactly one beat` -> `w3-exactly-one-beat` (policy names allow letters, digits, -_.)."""
    return re.sub(r"[^a-z0-9]+", "-", rule.lower()).strip("-")


def _plain(value: Any) -> Any:
    """Props as plain data: the engine's proxies unwrapped, unknowns shown as `[unknown]`."""
    if isinstance(value, Mapping):
        raw = value if isinstance(value, dict) else value["__target"]
        return {k: _plain(v) for k, v in raw.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        raw = value if isinstance(value, (list, tuple)) else value["__target"]
        return [_plain(v) for v in raw]
    return SHOWN_UNKNOWN if isinstance(value, str) and value in UNKNOWNS else value


def target_of(resources: Iterable[PolicyResource]) -> TargetName | None:
    """The target whose components (`trudeploy:<target>:...`) the stack declares."""
    names = {t.value for t in TargetName}
    found = {r.resource_type.split(":")[1] for r in resources if r.resource_type.count(":") == 2}
    found &= names
    return TargetName(found.pop()) if len(found) == 1 else None


def plan_from(resources: list[PolicyResource], stack: str = "") -> Plan:
    """The engine's resources in the offline plan's shape. A resource is custom unless its type is
    one of this project's components (`trudeploy:...`) or the stack itself."""
    records = []
    for r in resources:
        props = _plain(r.props)
        component = r.resource_type.startswith("trudeploy:") or r.resource_type.startswith(
            "pulumi:pulumi:"
        )
        records.append(
            PlanResource(
                urn=r.urn,
                type=r.resource_type,
                name=r.name,
                parent=r.parent.urn if r.parent is not None else None,
                custom=not component,
                protect=bool(getattr(r.opts, "protect", False)),
                id=props.get("id"),
                inputs=props,
                outputs=props,
                dependencies=[d.urn for d in r.dependencies],
                property_dependencies={
                    k: [d.urn for d in v] for k, v in r.property_dependencies.items()
                },
            )
        )
    target = target_of(resources)
    return Plan(
        project="",
        stack=stack,
        target=target.value if target else "",
        env="",
        resources=sorted(records, key=lambda r: r.urn),
        outputs={},
        unsimulated_types=[],
    )


def _view(args: StackValidationArgs) -> tuple[Plan, PlanView] | None:
    target = target_of(args.resources)
    if target is None:
        args.not_applicable("no trudeploy target components in this stack")
        return None
    if target in ID_LINKED:
        args.not_applicable(ID_LINKED[target])
        return None
    return plan_from(list(args.resources)), registry.plan_view(target)


def _urn_in(violation: str) -> str | None:
    match = re.search(r"(urn:pulumi:\S+?)(?=:\s|\s|$)", violation)
    return match.group(1) if match else None


def _rule_validator(rule: str) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        if rule in invariants.OFFLINE_ONLY:
            args.not_applicable(invariants.OFFLINE_ONLY[rule])
            return
        found = _view(args)
        if found is None:
            return
        broken, _ = invariants.judged(*found, checks=[rule])
        for violation in broken:
            report(violation, _urn_in(violation))

    return validate


def _exceptions(args: StackValidationArgs, report: ReportViolation) -> None:
    found = _view(args)
    if found is None:
        return
    live = [r for r in invariants.CHECKS if r not in invariants.OFFLINE_ONLY]
    _, excused = invariants.judged(*found, checks=live)
    for violation in excused:
        report(f"documented exception: {violation}", _urn_in(violation))


def policies() -> list[StackValidationPolicy]:
    """One mandatory policy per invariant, and the advisory one for documented exceptions."""
    rules = [
        StackValidationPolicy(
            name=policy_name(rule),
            description=(check.__doc__ or rule).strip().splitlines()[0],
            validate=_rule_validator(rule),
            enforcement_level=EnforcementLevel.MANDATORY,
        )
        for rule, check in invariants.CHECKS.items()
    ]
    exceptions = StackValidationPolicy(
        name=EXCEPTIONS_POLICY,
        description="Invariants the target documents it cannot meet (see its docs), as warnings.",
        validate=_exceptions,
        enforcement_level=EnforcementLevel.ADVISORY,
    )
    return [*rules, exceptions]
