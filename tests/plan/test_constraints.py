"""The constraint mechanism (components/constraints.py) and the docker target's and shared
providers' tables: every rule refuses a crafted bad input and accepts a good one (cases built on
the real dev plan's inputs), Pulumi autonames are checked as the provider would see them, secrets
never reach an error line, and the real dev plan breaks nothing."""

from __future__ import annotations

from functools import cache

import pytest
from constraint_cases import Case, one, run, uncovered, violations
from plan_stackfiles import REPO

from components.aws.constraints import CONSTRAINTS as AWS
from components.constraints import (
    CONSTRAINTS as COMMON,
)
from components.constraints import (
    ConstraintBook,
    Constraints,
    Length,
    Rule,
    autoname,
    values_at,
)
from components.docker.constraints import CONSTRAINTS as DOCKER
from components.simulated import SimArgs
from core.plan import MASK, Plan
from stacks.offline.runner import build_plan

CONTAINER = "docker:index/container:Container"
VOLUME, NETWORK = "docker:index/volume:Volume", "docker:index/network:Network"
REMOTE, IMAGE = "docker:index/remoteImage:RemoteImage", "docker:index/image:Image"
PASSWORD = "random:index/randomPassword:RandomPassword"
STRING = "random:index/randomString:RandomString"
TG = "aws:lb/targetGroup:TargetGroup"
TABLE = {**COMMON, **DOCKER}


@cache
def dev_plan() -> Plan:
    return build_plan("dev", REPO)


def _random_cases(token: str) -> list[Case]:
    return [
        one(token, "length", "1..", 0, 1),
        *(
            one(token, key, "0..", -1, 0)
            for key in ("minLower", "minUpper", "minNumeric", "minSpecial")
        ),
        Case(
            token,
            "length",
            "length >= minLower",
            {"length": 5, "minUpper": 3, "minLower": 3},
            {"length": 6, "minUpper": 3, "minLower": 3},
        ),
    ]


CASES: list[Case] = [
    one(CONTAINER, "name", "[a-zA-Z0-9][a-zA-Z0-9_.-]+", "_web", "web_1"),
    one(CONTAINER, "name", "[a-zA-Z0-9][a-zA-Z0-9_.-]+", "app web", "app.web"),
    one(CONTAINER, "image", "an image id or reference", "", "sha256:abc"),
    one(CONTAINER, "restart", "unless-stopped", "on-failure:3", "on-failure"),
    Case(
        CONTAINER,
        "maxRetryCount",
        "only with restart on-failure",
        {"maxRetryCount": 3},
        {"maxRetryCount": 3, "restart": "on-failure"},
    ),
    one(CONTAINER, "ports[].internal", "1..65535", 0, 8000, base="app-web"),
    one(CONTAINER, "ports[].external", "1..65535", 70000, 8000, base="app-web"),
    one(CONTAINER, "ports[].protocol", "sctp", "http", "tcp", base="app-web"),
    one(CONTAINER, "memory", "6..", 4, 6),
    one(CONTAINER, "cpus", "a decimal number", "half", "0.5"),
    one(CONTAINER, "envs[]", "KEY=value", "NOEQUALS", "KEY=value"),
    one(CONTAINER, "hostname", "RFC 1123", "web_1", "web-1"),
    one(CONTAINER, "healthcheck.tests", "1-", [], ["NONE"]),
    one(CONTAINER, "healthcheck.tests[0]", "CMD-SHELL", "SHELL", "CMD"),
    one(CONTAINER, "healthcheck.interval", "Go duration", "5", "5s"),
    one(CONTAINER, "healthcheck.timeout", "Go duration", "five", "1m30s"),
    one(CONTAINER, "healthcheck.startPeriod", "Go duration", "10", "10s"),
    one(CONTAINER, "healthcheck.retries", "0..", -1, 0),
    one(CONTAINER, "logDriver", "json-file", "file", "local"),
    one(CONTAINER, "logOpts.max-size", "a size such as 10m", "10MB", "10m"),
    one(CONTAINER, "logOpts.max-file", "a positive count", "0", "3"),
    one(CONTAINER, "networksAdvanced[].name", "1-", "", "backend"),
    one(CONTAINER, "volumes[].containerPath", "an absolute path", "data", "/data"),
    one(CONTAINER, "volumes[].volumeName", "[a-zA-Z0-9][a-zA-Z0-9_.-]+", "-data", "data"),
    one(CONTAINER, "waitTimeout", "1..", 0, 60),
    one(VOLUME, "name", "[a-zA-Z0-9][a-zA-Z0-9_.-]+", "my volume", "my-volume"),
    one(VOLUME, "driver", "a volume driver name", "my driver", "local"),
    one(NETWORK, "name", "1-", "", "backend"),
    one(NETWORK, "driver", "macvlan", "nat", "bridge"),
    one(REMOTE, "name", "an image reference", "Postgres:16", "postgres:16"),
    one(REMOTE, "name", "an image reference", "postgres:16 alpine", "postgres:16-alpine"),
    one(IMAGE, "imageName", "an image reference", "App:latest", "app:latest"),
    one(IMAGE, "build.platform", "os/arch", "amd64", "linux/arm64/v8"),
    one(
        IMAGE,
        "build",
        "a build needs its context",
        {"dockerfile": "Dockerfile"},
        {"context": "app"},
    ),
    one("random:index/randomId:RandomId", "byteLength", "1..", 0, 4),
    *_random_cases(PASSWORD),
    *_random_cases(STRING),
]


@pytest.mark.parametrize("case", CASES, ids=Case.label)
def test_each_rule_refuses_the_bad_input_and_accepts_the_good_one(case: Case) -> None:
    bad, good = run(case, TABLE, dev_plan())
    assert bad, f"{case.token} {case.path}: {case.bad} broke no rule matching {case.rule!r}"
    assert not good, [v.line() for v in good]


def test_every_docker_and_shared_rule_has_a_case() -> None:
    assert uncovered(TABLE, CASES) == []


def test_the_real_dev_plan_breaks_nothing_and_every_type_is_covered() -> None:
    plan = dev_plan()  # build_plan raises ConstraintViolations on any broken rule
    assert plan.unconstrained_types == []
    assert plan.of_type(CONTAINER)


def test_an_absent_name_is_checked_as_pulumis_autoname() -> None:
    """A target group's 32-character limit applies to `<logical>-<7 hex>` when no name is
    given: the prod plan's `trudeploy-prod-app-lb-web` would autoname to 33 characters."""
    long_name = violations(AWS[TG], TG, "trudeploy-prod-app-lb-web", {"port": 8000})
    assert [v.path for v in long_name] == ["name (Pulumi autoname, none given)"]
    assert long_name[0].value.startswith("trudeploy-prod-app-lb-web-")
    assert len(long_name[0].value) == 33
    assert violations(AWS[TG], TG, "app-lb-web", {"port": 8000}) == []


def test_the_autoname_is_the_one_the_simulated_cloud_reports() -> None:
    sim = SimArgs(TG, "web", "urn:pulumi:s::p::t::web", {}, "s", "p")
    from components.aws.simulated import autoname as simulated_autoname

    assert autoname(sim) == simulated_autoname(sim)


def test_values_at_reaches_nested_items_and_skips_absent_inputs() -> None:
    inputs = {"a": [{"b": 1}, {"b": 2}, {}], "t": ["CMD", "x"], "n": None}
    assert list(values_at(inputs, "a[].b")) == [("a[0].b", 1), ("a[1].b", 2)]
    assert list(values_at(inputs, "t[0]")) == [("t[0]", "CMD")]
    assert list(values_at(inputs, "t[5]")) == []
    assert list(values_at(inputs, "n")) == []
    assert list(values_at(inputs, "missing.x")) == []


def test_a_secret_value_never_reaches_a_violation_line() -> None:
    token = "test:index/thing:Thing"
    book = ConstraintBook({token: Constraints(rules=(Rule("password", Length(8, 9), "doc"),))})
    secret = "hunter2-is-too-long"
    book.apply(SimArgs(token, "x", "urn:x", {"password": secret}, "s", "p"), {secret})
    [found] = book.violations
    assert found.value == MASK
    assert secret not in found.line()


def test_types_without_constraints_are_listed_not_passed_silently() -> None:
    book = ConstraintBook({})
    book.apply(SimArgs("x:index/y:Y", "n", "urn:n", {}, "s", "p"))
    assert book.unconstrained == {"x:index/y:Y"} and book.violations == []


def test_an_absent_input_is_left_to_the_provider_default() -> None:
    assert violations(DOCKER[CONTAINER], CONTAINER, "web", {"restart": None}) == []
