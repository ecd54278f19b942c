"""The simulated-cloud hook shared by every target, and the rules for providers all targets use.

The offline plan (stacks/offline/) answers each resource registration with the outputs the real
provider would compute. A target supplies its own rules in `components/<target>/simulated.py` as
`RULES: dict[type_token, SimRule]`; this module holds the rule type, helpers that keep simulated
values deterministic (so a golden plan is stable), and the rules for pulumi-random.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.rpc import wrap_rpc_secret


@dataclass(frozen=True)
class SimArgs:
    """One resource registration as a rule sees it; `inputs` has secrets already unwrapped."""

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    stack: str
    project: str
    config: Mapping[str, str] = field(default_factory=dict)
    """The stack's config as the engine hands it to the program (`aws:region`, ...), so a rule
    can fill region- or project-specific values the way the provider would."""

    def digest(self, salt: str = "", length: int = 64) -> str:
        """A hex string derived from the URN: stable across runs, unique per resource."""
        return hashlib.sha256(f"{self.urn}|{salt}".encode()).hexdigest()[:length]

    def chars(self, length: int, alphabet: str, salt: str = "") -> str:
        """`length` characters from `alphabet`, derived from the URN (a deterministic "random")."""
        out: list[str] = []
        counter = 0
        while len(out) < length:
            block = hashlib.sha256(f"{self.urn}|{salt}|{counter}".encode()).digest()
            out.extend(alphabet[b % len(alphabet)] for b in block)
            counter += 1
        return "".join(out[:length])


SimRule = Callable[[SimArgs], dict[str, Any]]
"""Returns the computed outputs to add to the inputs; the key `id` (if present) is the physical id.
Wrap a value with `secret(...)` where the provider marks that output secret."""


def secret(value: Any) -> Any:
    """Mark a simulated output secret, as the provider's `additional_secret_outputs` would."""
    return wrap_rpc_secret(value)


def _random_password(a: SimArgs) -> dict[str, Any]:
    length = int(a.inputs.get("length", 16))
    alphabet = string.ascii_letters + string.digits
    if a.inputs.get("special", True):
        alphabet += a.inputs.get("overrideSpecial") or "!#$%&*()-_=+[]{}<>:?"
    value = a.chars(length, alphabet, "result")
    return {
        "id": "none",
        "result": secret(value),
        "bcryptHash": secret("$2a$10$" + a.chars(53, string.ascii_letters + string.digits, "b")),
    }


def _random_string(a: SimArgs) -> dict[str, Any]:
    length = int(a.inputs.get("length", 16))
    alphabet = string.ascii_lowercase + string.digits
    if a.inputs.get("upper", True):
        alphabet += string.ascii_uppercase
    value = a.chars(length, alphabet, "result")
    return {"id": value, "result": value}


RULES: dict[str, SimRule] = {
    "random:index/randomPassword:RandomPassword": _random_password,
    "random:index/randomString:RandomString": _random_string,
}
