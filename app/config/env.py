"""Typed readers for the environment variables that configure the service.

Every platform-specific value reaches the service through the environment, so a wrong value must
fail at start-up with the variable's name and what would be valid, never later at request time.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value with surrounding whitespace removed, or ``default`` when unset."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    """A boolean flag; anything but a recognised spelling is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of: {', '.join(sorted(_TRUE | _FALSE - {''}))}"
    )


def env_int(name: str, default: int) -> int:
    """A non-negative integer."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must be zero or more")
    return value


def env_positive_int(name: str, default: int) -> int:
    """An integer of at least 1 (a limit or timeout where 0 would refuse everything)."""
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name}={value} must be at least 1")
    return value


def env_float(name: str, default: float) -> float:
    """A number between 0 and 1 (sample rates)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise ImproperlyConfigured(f"{name}={raw!r} must be between 0 and 1")
    return value


def env_choice(name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case-insensitive), or "" when unset or empty."""
    value = env_str(name).lower()
    if value and value not in choices:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not allowed; use one of: {', '.join(choices)} "
            "(or leave it unset)"
        )
    return value


def env_list(name: str) -> list[str]:
    """A comma-separated list; empty items are dropped so ``a,,b,`` is ``[a, b]``."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def require_present(name: str, why: str) -> None:
    """Refuse to start when a deployed profile lacks a variable whose every value (even 0) is a
    decision the deploy target must make, so no default can stand in for it."""
    if not env_str(name):
        raise ImproperlyConfigured(f"{name} must be set when ENV={env_str('ENV')}: {why}")


def require(name: str, value: object, why: str) -> None:
    """Refuse to start when a deployed profile lacks a value it cannot safely default."""
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when ENV={env_str('ENV')}: {why}")
