"""Provider input constraints for the offline plan: what the real API refuses, checked before the
simulated cloud answers a registration.

The mock runtime accepts any input, so a plan could pass every test and still fail at the first
`pulumi up` (an EC2 rule description with an apostrophe did). Each target lists, per resource type
token, the documented limits of that type's inputs in `components/<target>/constraints.py`
(`CONSTRAINTS: dict[type_token, Constraints]`); this module holds the rule vocabulary, the check
that runs them, and the rules for pulumi-random, which every target uses.

A rule names an input path (`healthCheck.interval`, `parameters[].name`: `[]` means every item of
a list), a check (`Pattern`, `Length`, `Range`, `OneOf`) or a combination (`Combination`, a
predicate over all inputs) and `cite`, the URL of the provider's documentation that states the
limit. An absent input is not checked (the provider's default applies), except the name Pulumi
generates: a type's `autoname` key, when absent, is checked as `<logical name>-<7 hex>`, the
physical name the provider would be sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from components.simulated import SimArgs
from core.plan import MASK

AUTONAME_HEX = 7
"""Pulumi's autonaming appends `-` and 7 random hex characters to the logical name."""


class Check:
    """One limit on one value; `problem` returns what is wrong, or None."""

    def problem(self, value: Any) -> str | None:
        raise NotImplementedError

    def describe(self) -> str:
        """The rule as a reviewer reads it in an error line."""
        raise NotImplementedError


@dataclass(frozen=True)
class Pattern(Check):
    """A string matching `regex` in full; `what` says it in words (the error shows it)."""

    regex: str
    what: str

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str) or re.fullmatch(self.regex, value, re.DOTALL) is None:
            return "does not match"
        return None

    def describe(self) -> str:
        return self.what


@dataclass(frozen=True)
class Length(Check):
    """A string (or list) of `low`..`high` items."""

    low: int
    high: int
    unit: str = "characters"

    def problem(self, value: Any) -> str | None:
        size = len(value) if isinstance(value, str | list) else -1
        if not self.low <= size <= self.high:
            return f"has length {size}"
        return None

    def describe(self) -> str:
        return f"{self.low}-{self.high} {self.unit}"


@dataclass(frozen=True)
class Range(Check):
    """A number (or a numeric string, as some APIs take them) within `low`..`high`."""

    low: float
    high: float

    def problem(self, value: Any) -> str | None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return "is not a number"
        if not self.low <= number <= self.high:
            return "is out of range"
        return None

    def describe(self) -> str:
        return f"{_num(self.low)}..{_num(self.high)}"


@dataclass(frozen=True)
class OneOf(Check):
    """One of a fixed set of values."""

    values: tuple[Any, ...]

    def problem(self, value: Any) -> str | None:
        if value not in self.values:
            return "is not allowed"
        return None

    def describe(self) -> str:
        return ", ".join(str(v) for v in self.values)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Rule:
    """`check` applied to the input at `path`; `cite` is where the provider documents it."""

    path: str
    check: Check
    cite: str


@dataclass(frozen=True)
class Combination:
    """A limit across inputs: `test(inputs)` returns what is wrong, or None. `path` names the input
    the error points at."""

    path: str
    rule: str
    test: Callable[[Mapping[str, Any]], str | None]
    cite: str


@dataclass(frozen=True)
class Constraints:
    """Every documented limit on one resource type's inputs."""

    rules: tuple[Rule | Combination, ...]
    autoname: str | None = None
    """The input Pulumi fills with `<logical name>-<7 hex>` when the program leaves it out."""


@dataclass(frozen=True)
class Violation:
    """One input a provider would refuse."""

    type: str
    name: str
    path: str
    value: Any
    problem: str
    rule: str
    cite: str

    def line(self) -> str:
        """One reviewable line: resource, input, value, what is wrong, the rule and its source."""
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        where = f"{self.type} {self.name!r}: {self.path} = {shown}"
        return f"{where} {self.problem}; rule: {self.rule} ({self.cite})"


class ConstraintViolations(Exception):
    """The plan holds inputs the provider would refuse; `violations` has one per input."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("\n".join(v.line() for v in violations))


def autoname(sim: SimArgs) -> str:
    """The physical name Pulumi generates for an unnamed resource (never truncated: Pulumi fails
    rather than shortens, and a provider refuses what is too long)."""
    return f"{sim.name}-{sim.digest('autoname', AUTONAME_HEX)}"


def values_at(inputs: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(concrete path, value) for every value at `path` (`a.b`, `list[]` for every item, `list[0]`
    for one); absent or null inputs yield nothing."""
    head, _, rest = path.partition(".")
    key, bracket, index_text = head.partition("[")
    if not isinstance(inputs, Mapping) or inputs.get(key) is None:
        return
    value = inputs[key]
    items: list[tuple[int | None, Any]] = [(None, value)]
    if bracket and isinstance(value, list):
        index_text = index_text.rstrip("]")
        if index_text:  # `tests[0]`: one item
            at = int(index_text)
            items = [(at, value[at])] if at < len(value) else []
        else:  # `subnets[]`: every item
            items = list(enumerate(value))
    for index, item in items:
        here = key if index is None else f"{key}[{index}]"
        if rest:
            yield from ((f"{here}.{p}", v) for p, v in values_at(item, rest))
        else:
            yield here, item


def whole_numbers(value: Any) -> Any:
    """`value` with integral floats as ints: the wire format has only doubles, and an error should
    say `allocatedStorage = 10`, as the program wrote it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value


def effective_inputs(spec: Constraints, sim: SimArgs) -> dict[str, Any]:
    """The inputs as the provider receives them: the autonamed key filled in when absent."""
    inputs = whole_numbers(dict(sim.inputs))
    if spec.autoname and inputs.get(spec.autoname) is None:
        inputs[spec.autoname] = autoname(sim)
    return inputs


def check(spec: Constraints, sim: SimArgs) -> list[Violation]:
    """Every violation of `spec` by one registration."""
    inputs = effective_inputs(spec, sim)
    named = spec.autoname if spec.autoname and sim.inputs.get(spec.autoname) is None else None
    found: list[Violation] = []
    for rule in spec.rules:
        if isinstance(rule, Combination):
            problem = rule.test(inputs)
            if problem:
                value = inputs.get(rule.path.partition(".")[0])
                found.append(
                    Violation(sim.type, sim.name, rule.path, value, problem, rule.rule, rule.cite)
                )
            continue
        for path, value in values_at(inputs, rule.path):
            problem = rule.check.problem(value)
            if problem:
                if path == named:
                    path += " (Pulumi autoname, none given)"
                what = rule.check.describe()
                found.append(Violation(sim.type, sim.name, path, value, problem, what, rule.cite))
    return found


def random_length_covers_minimums(inputs: Mapping[str, Any]) -> str | None:
    """pulumi-random refuses a length shorter than the sum of the `min*` counts it must honour."""
    minimums = sum(int(inputs.get(k) or 0) for k in ("minLower", "minUpper", "minNumeric"))
    minimums += int(inputs.get("minSpecial") or 0)
    length = int(inputs.get("length") or 0)
    if length < minimums:
        return f"length {length} is below the sum of the minimum counts ({minimums})"
    return None


_RANDOM_DOCS = "https://www.pulumi.com/registry/packages/random/api-docs/randompassword/"
_RANDOM_STRING_DOCS = "https://www.pulumi.com/registry/packages/random/api-docs/randomstring/"
_RANDOM_ID_DOCS = "https://www.pulumi.com/registry/packages/random/api-docs/randomid/"


def _random(cite: str) -> Constraints:
    return Constraints(
        rules=(
            # "length: The length of the string desired. The minimum value for length is 1 and,
            # length must also be >= (min_upper + min_lower + min_numeric + min_special)."
            Rule("length", Range(1, 2**31 - 1), cite),
            *(Rule(k, Range(0, 2**31 - 1), cite) for k in _MINIMUMS),
            Combination(
                "length",
                "length >= minLower + minUpper + minNumeric + minSpecial",
                random_length_covers_minimums,
                cite,
            ),
        )
    )


_MINIMUMS = ("minLower", "minUpper", "minNumeric", "minSpecial")

_IMAGE_REFERENCE = (
    r"(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*"
    r"[a-zA-Z0-9])?))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?"
    r"(?:@sha256:[0-9a-f]{64})?"
)
"""Docker's image reference grammar: optional registry host[:port]/, lowercase path components
joined by `.`, `_`, `__` or dashes, an optional tag of up to 128 word characters, dots, dashes."""
IMAGE_REFERENCE = Pattern(
    _IMAGE_REFERENCE, "an image reference [registry/]lowercase/path[:tag] (tag: [A-Za-z0-9_.-])"
)
DOCKER_TAG_DOCS = "https://docs.docker.com/reference/cli/docker/image/tag/"
_PLATFORM_DOCS = "https://docs.docker.com/build/building/multi-platform/"
_DOCKER_IMAGE_DOCS = "https://www.pulumi.com/registry/packages/docker/api-docs/image/"


def _build_needs_context(inputs: Mapping[str, Any]) -> str | None:
    build = inputs.get("build")
    if isinstance(build, Mapping) and not build.get("context"):
        return "a build without a context (the directory docker builds from)"
    return None


DOCKER_IMAGE = Constraints(
    rules=(
        Rule("imageName", IMAGE_REFERENCE, DOCKER_TAG_DOCS),
        Rule(
            "build.platform",
            Pattern(r"[a-z0-9]+/[a-z0-9_]+(/v[0-9]+)?", "os/arch[/variant]"),
            _PLATFORM_DOCS,
        ),
        Combination("build", "a build needs its context", _build_needs_context, _DOCKER_IMAGE_DOCS),
    )
)
"""pulumi-docker's `Image`, which the docker target builds locally and the aws target pushes."""

CONSTRAINTS: dict[str, Constraints] = {
    "random:index/randomPassword:RandomPassword": _random(_RANDOM_DOCS),
    "random:index/randomString:RandomString": _random(_RANDOM_STRING_DOCS),
    "random:index/randomId:RandomId": Constraints(
        # "byteLength: The number of random bytes to produce. The minimum value is 1."
        rules=(Rule("byteLength", Range(1, 2**31 - 1), _RANDOM_ID_DOCS),)
    ),
    "docker:index/image:Image": DOCKER_IMAGE,
}
"""Providers several targets use: pulumi-random (the shared secret key, generated passwords) and
pulumi-docker's image build."""


@dataclass
class ConstraintBook:
    """The constraints one plan applies, and what it met that has none (the review gap)."""

    constraints: Mapping[str, Constraints]
    violations: list[Violation] = field(default_factory=list)
    unconstrained: set[str] = field(default_factory=set)

    def apply(self, sim: SimArgs, secrets: Collection[str] = ()) -> None:
        """Check one registration; record its violations (a secret value shown masked), or its
        type if nothing covers it."""
        spec = self.constraints.get(sim.type)
        if spec is None:
            self.unconstrained.add(sim.type)
            return
        for found in check(spec, sim):
            shown = str(found.value)
            if any(s and s in shown for s in secrets):
                found = replace(found, value=MASK)
            self.violations.append(found)
