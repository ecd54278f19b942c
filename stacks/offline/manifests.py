"""The Kubernetes objects of an offline plan as manifests: what `trudeploy plan --manifests DIR`
writes, and what the suite validates against the Kubernetes OpenAPI schemas (and the vendored
CloudNativePG CRDs).

Each object is the resource's recorded inputs, which pulumi-kubernetes sends to the API server as
the object (`apiVersion`, `kind`, `metadata`, `spec`, `data`, ...). Secret values stay masked as
the plan masks them, so the files are safe to keep as CI artefacts; they are a review and
validation aid, not something to `kubectl apply`. A Helm release is not an API object and is left
out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.plan import Plan, PlanResource

PREFIX = "kubernetes:"
NOT_OBJECTS = frozenset({"kubernetes:helm.sh/v3:Release"})


class ManifestError(Exception):
    """The manifests cannot be written; nothing was."""


def manifest(resource: PlanResource) -> dict[str, Any] | None:
    """The object a pulumi-kubernetes resource declares, or None for anything else."""
    if not resource.custom or not resource.type.startswith(PREFIX):
        return None
    if resource.type in NOT_OBJECTS:
        return None
    group_version, kind = resource.type.removeprefix(PREFIX).rsplit(":", 1)
    api_version = group_version.removeprefix("core/")
    body = {k: v for k, v in resource.inputs.items() if k not in ("apiVersion", "kind")}
    return {"apiVersion": api_version, "kind": kind, **body}


def manifests(plan: Plan) -> dict[str, dict[str, Any]]:
    """File name (`<kind>-<name>.yaml`, lowercase kind) -> object, in plan order."""
    found: dict[str, dict[str, Any]] = {}
    for resource in plan.resources:
        obj = manifest(resource)
        if obj is None:
            continue
        name = str((obj.get("metadata") or {}).get("name") or resource.name)
        filename = f"{obj['kind'].lower()}-{name}.yaml"
        if filename in found:
            raise ManifestError(f"two objects would be written to {filename}")
        found[filename] = obj
    return found


def write_manifests(plan: Plan, directory: Path) -> list[Path]:
    """Write every Kubernetes object of `plan` to `directory` (created; it must be empty, so no
    file of an earlier plan is mistaken for one of this plan). Returns the files written."""
    objects = manifests(plan)
    if not objects:
        raise ManifestError(
            f"stack {plan.stack} (target {plan.target}) declares no Kubernetes objects; "
            "--manifests needs a stack with target kubernetes"
        )
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ManifestError(f"{directory} must be an empty directory or not exist yet")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, obj in objects.items():
        path = directory / filename
        path.write_text(yaml.safe_dump(obj, sort_keys=False))
        written.append(path)
    return written
