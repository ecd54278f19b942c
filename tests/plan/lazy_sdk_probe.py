"""Every type Pulumi reaches from the resource classes a stack declares, as `pulumi._types` resolves
them: run as `python lazy_sdk_probe.py lazy STACK` (after planning STACK through
components/lazy_sdk.py) or `python lazy_sdk_probe.py plain` (the same classes, the SDK imported
the ordinary way; the class list on stdin). Prints JSON: the classes and the resolved types.

Resolution is what `pulumi up` does with these classes: `resource_types` when it reads a
resource's outputs, `input_type_types`/`output_type_types` for nested values; a type the loader
failed to define raises NameError here."""

from __future__ import annotations

import importlib
import json
import sys
import typing

from pulumi import CustomResource, _types


def flatten(hint: object) -> list[object]:
    """The classes a (resolved) type hint names, at any depth of its generics."""
    found = [hint] if isinstance(hint, type) else []
    for arg in typing.get_args(hint):
        found.extend(flatten(arg))
    return found


def walk(cls: type, seen: set[type], out: list[str]) -> None:
    if cls in seen:
        return
    seen.add(cls)
    if _types.is_input_type(cls):
        hints: dict[str, object] = _types.input_type_types(cls)
    elif _types.is_output_type(cls):
        hints = _types.output_type_types(cls)
    elif typing.is_typeddict(cls):
        hints = typing.get_type_hints(cls)
    elif isinstance(cls, type) and issubclass(cls, CustomResource):
        hints = _types.resource_types(cls)
    else:
        return
    for key, hint in sorted(hints.items()):
        for named in flatten(_types.unwrap_type(hint)):
            out.append(f"{cls.__module__}.{cls.__qualname__}.{key}: {named.__qualname__}")
            walk(named, seen, out)


def resolve(classes: list[tuple[str, str]]) -> list[str]:
    seen: set[type] = set()
    out: list[str] = []
    for module, name in classes:
        walk(getattr(importlib.import_module(module), name), seen, out)
    return sorted(set(out))


def declared(root: str) -> list[tuple[str, str]]:
    """The resource classes (and their Args) of the resource modules the plan loaded."""
    classes = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith(root + ".") or name.count(".") != 2:
            continue
        if name.rsplit(".", 1)[1] in ("_inputs", "outputs", "_enums", "_utilities"):
            continue
        for attr in getattr(module, "__all__", ()):
            value = getattr(module, attr)
            if isinstance(value, type) and (
                issubclass(value, CustomResource) or _types.is_input_type(value)
            ):
                classes.append((name, attr))
    return classes


def main() -> None:
    if sys.argv[1] == "lazy":
        from stacks.offline.runner import build_plan

        build_plan(sys.argv[2])
        classes = declared(sys.argv[3])
    else:
        classes = [tuple(c) for c in json.load(sys.stdin)]
        for module in {m.rsplit(".", 1)[0] for m, _ in classes}:
            vars(importlib.import_module(module))  # the whole namespace, `__init__` and all
    print(json.dumps({"classes": classes, "types": resolve(classes)}))


if __name__ == "__main__":
    main()
