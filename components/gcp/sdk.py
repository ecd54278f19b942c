"""pulumi-gcp with only the resource modules the GCP components declare.

Importing a resource of a pulumi-gcp namespace the ordinary way loads the whole namespace:
`compute` alone (290 resource modules, and input and output types of 93,000 and 96,000 lines)
was about a second of the prod-gcp plan's three (docs/benchmarks.md, "Offline plan").
components/lazy_sdk.py says how the namespaces are opened instead, and why what runs is still
the SDK's own code.
"""

from __future__ import annotations

from collections.abc import Iterable

from components import lazy_sdk


def pulumi_gcp(**namespaces: Iterable[str]) -> lazy_sdk.Deferred:
    """`pulumi_gcp` with each namespace named (`compute=("network", ...)`) holding the public
    names of the resource or function modules listed for it, loaded when first read."""
    return lazy_sdk.Deferred(lambda: lazy_sdk.package("pulumi_gcp", namespaces))
