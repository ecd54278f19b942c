"""Graph invariants (INVARIANTS.md) checked on an offline plan, for any target.

Each check takes the plan and the target's `PlanView` (components/<target>/plan_view.py), which
says where that target keeps its processes, env keys, health checks and stateful resources, and
returns a list of violations (empty = holds). `violations(plan, view)` runs them all; tests assert
it is empty, and feed deliberately broken plans to prove each check can fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from components.app_env import ALL_KEYS, REQUIRED_KEYS
from components.contract import LIVE_PATH, READY_PATH
from core.plan import Plan, PlanView, ProcessInstance

MIN_SECRET_LENGTH = 8
"""Shorter secret values (none are generated) would match by accident, so they are not scanned."""


def _by_process(plan: Plan, view: PlanView) -> dict[str, list[ProcessInstance]]:
    grouped: dict[str, list[ProcessInstance]] = {}
    for instance in view.processes(plan):
        grouped.setdefault(instance.process, []).append(instance)
    return grouped


def env_contract(plan: Plan, view: PlanView) -> list[str]:
    """W1: every app process gets the contract's keys (all required ones, nothing unknown), and
    all processes get the same set."""
    problems = []
    key_sets = set()
    for inst in view.processes(plan):
        missing = REQUIRED_KEYS - inst.env_keys
        unknown = inst.env_keys - ALL_KEYS
        if missing:
            problems.append(f"{inst.urn}: env lacks {sorted(missing)}")
        if unknown:
            problems.append(f"{inst.urn}: env has keys outside the contract {sorted(unknown)}")
        key_sets.add(inst.env_keys)
    if len(key_sets) > 1:
        problems.append(f"processes get different env key sets: {sorted(map(sorted, key_sets))}")
    return problems


def no_plaintext_secrets(plan: Plan, view: PlanView | None = None) -> list[str]:
    """S1: no secret value seen while planning appears anywhere in the plan's JSON."""
    text = plan.to_json()
    scanned = [s for s in plan.secret_values if len(s) >= MIN_SECRET_LENGTH]
    if not scanned:
        return ["the plan recorded no secret values, so the leak scan would prove nothing"]
    return [
        f"a secret value ({len(s)} chars, starts {s[:3]!r}) appears in plaintext"
        for s in sorted(scanned)
        if s in text
    ]


def exactly_one_beat(plan: Plan, view: PlanView) -> list[str]:
    """W3: one beat, never zero, never two."""
    beats = _by_process(plan, view).get("beat", [])
    return [] if len(beats) == 1 else [f"expected exactly one beat, found {len(beats)}"]


def release_before_web(plan: Plan, view: PlanView) -> list[str]:
    """W3: every web instance is ordered after the release step (transitively)."""
    grouped = _by_process(plan, view)
    releases = {r.urn for r in grouped.get("release", [])}
    webs = grouped.get("web", [])
    if not releases:
        return ["no release step in the plan"]
    if not webs:
        return ["no web process in the plan"]
    return [
        f"{web.urn} is not ordered after the release step"
        for web in webs
        if not releases & plan.depends_on(web.urn)
    ]


def stateful_persistent(plan: Plan, view: PlanView) -> list[str]:
    """Every database, cache and bucket keeps its data (a volume, a managed store)."""
    found = view.stateful(plan)
    capabilities = {s.capability for s in found}
    problems = [
        f"no {c} in the plan" for c in ("postgres", "redis", "storage") if c not in capabilities
    ]
    problems += [
        f"{s.urn} ({s.capability}) has no persistent storage" for s in found if not s.persistent
    ]
    return problems


def health_paths(plan: Plan, view: PlanView) -> list[str]:
    """W4: web's health checks use the ready and live paths."""
    problems = []
    for web in _by_process(plan, view).get("web", []):
        joined = " ".join(web.health_checks)
        for path in (READY_PATH, LIVE_PATH):
            if path not in joined:
                problems.append(f"{web.urn}: no health check on {path}")
    return problems


def supervised(plan: Plan, view: PlanView) -> list[str]:
    """O2: every long-lived process restarts on failure."""
    return [
        f"{p.urn} ({p.process}) has no restart policy or supervisor"
        for p in view.processes(plan)
        if p.process != "release" and not p.supervised
    ]


OFFLINE_ONLY: dict[str, str] = {
    "S1 no plaintext secrets": "a policy pack receives secret values unwrapped and unmarked, so it "
    "cannot tell a leaked copy from the secret itself; `trudeploy plan` enforces S1 offline",
}
"""Rules a live `pulumi preview` cannot evaluate, with why; the policy pack marks them not
applicable instead of passing them silently."""

CHECKS: dict[str, Callable[[Plan, PlanView], list[str]]] = {
    "W1 env contract": env_contract,
    "S1 no plaintext secrets": no_plaintext_secrets,
    "W3 exactly one beat": exactly_one_beat,
    "W3 release before web": release_before_web,
    "stateful resources persist": stateful_persistent,
    "W4 health paths": health_paths,
    "O2 supervised": supervised,
}


def violations(plan: Plan, view: PlanView, checks: Iterable[str] | None = None) -> list[str]:
    """Every violated rule as `rule: detail`."""
    names = list(checks) if checks is not None else list(CHECKS)
    return [f"{name}: {problem}" for name in names for problem in CHECKS[name](plan, view)]


def judged(
    plan: Plan, view: PlanView, checks: Iterable[str] | None = None
) -> tuple[list[str], list[str]]:
    """(broken, excused): every violation (of `checks`, default all), split by whether the target
    documents it as one it cannot avoid. A view may define `unexplained(plan, found)` returning
    the violations its documented exceptions do not account for (components/render/plan_view.py);
    without it every violation is broken. `trudeploy plan` and the policy pack (stacks/policy.py)
    both judge through here."""
    found = violations(plan, view, checks)
    unexplained = getattr(view, "unexplained", None)
    broken = list(unexplained(plan, found)) if unexplained else found
    return broken, [v for v in found if v not in broken]
