"""Validation of written manifests: built-in kinds against the Kubernetes OpenAPI schemas of a named
version, shipped by kubernetes-validate (offline), and CloudNativePG kinds against the CRDs vendored
in schemas/ (schemas/SOURCE.md).

Both are strict: kubernetes-validate's `strict` schemas refuse unknown fields, and the CRD schema is
closed the same way (`additionalProperties: false` wherever the CRD does not preserve unknown
fields), as the API server's strict field validation (`kubectl apply --validate=strict`) does.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.31.0"
SCHEMAS = Path(__file__).parent / "schemas"
CRDS = {
    ("postgresql.cnpg.io/v1", "Cluster"): "postgresql.cnpg.io_clusters.yaml",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "postgresql.cnpg.io_scheduledbackups.yaml",
}


def closed(schema: Any) -> Any:
    """`schema` with every object that lists its properties refusing others."""
    if isinstance(schema, list):
        return [closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: closed(v) for k, v in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    """The vendored CRD's openAPIV3Schema for this version, closed."""
    crd = yaml.safe_load((SCHEMAS / CRDS[(api_version, kind)]).read_text())
    version = api_version.split("/", 1)[1]
    [entry] = [v for v in crd["spec"]["versions"] if v["name"] == version]
    return closed(entry["schema"]["openAPIV3Schema"])


def problems(obj: dict[str, Any]) -> list[str]:
    """Why the API server would refuse `obj` (empty when it validates)."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    if key in CRDS:
        validator = jsonschema.Draft7Validator(crd_schema(*key))
        return [
            f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(obj)
        ]
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{'.'.join(map(str, exc.path)) or '<root>'}: {exc.message}"]
    return []
