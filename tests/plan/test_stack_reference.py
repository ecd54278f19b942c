"""docs/stack-config.md names every key the stack model accepts, so the reference cannot drift."""

from __future__ import annotations

import types
import typing
from pathlib import Path

from pydantic import BaseModel

from stacks.config import NAMESPACE, StackConfig

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "stack-config.md"


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The pydantic model inside `X | None` (or `X`), if any."""
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    for candidate in (annotation, *candidates):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def stack_keys(model: type[BaseModel] = StackConfig, prefix: str = "") -> list[str]:
    """Every leaf key as a stack file spells it: `postgres.storageGb`, `postgresUrl`, ..."""
    keys: list[str] = []
    for name, field in model.model_fields.items():
        if field.exclude:  # provider settings, not a trudeploy: key
            continue
        key = f"{prefix}{field.alias or name}"
        nested = _model_in(field.annotation)
        if nested is not None and nested.__name__ != "SecretValue":
            keys += stack_keys(nested, f"{key}.")
        else:
            keys.append(key)
    return keys


def test_every_stack_key_is_in_the_reference() -> None:
    text = REFERENCE.read_text()
    keys = stack_keys()
    assert {"env", "postgres.storageGb", "render.registry.kind", "postgresUrl"} <= set(keys)
    missing = [k for k in keys if f"`{NAMESPACE}:{k}`" not in text]
    assert missing == []


def test_the_check_sees_a_key_missing_from_the_reference() -> None:
    text = REFERENCE.read_text().replace("`trudeploy:postgres.storageGb`", "")
    assert "`trudeploy:postgres.storageGb`" not in text
    assert any(f"`{NAMESPACE}:{k}`" not in text for k in stack_keys())
