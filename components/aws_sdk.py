"""pulumi-aws with only the resource modules the components declare.

Importing a resource of a pulumi-aws service namespace the ordinary way loads the whole
namespace: every resource module of the service and its whole `_inputs` and `outputs`
(cloudwatch's for one LogGroup, ec2's 0.42 s); 544 pulumi_aws modules loaded for the prod
stack's plan (docs/benchmarks.md, "Where the AWS plan's import time goes").
components/lazy_sdk.py says how the namespaces are opened instead, and why what runs is still
the SDK's own code. It sits beside `components/s3.py`, not in `components/aws/`, because the
render target's S3 storage declares pulumi-aws resources too, and importing anything under
`components/aws/` imports the whole AWS target.
"""

from __future__ import annotations

from collections.abc import Iterable

from components import lazy_sdk


def pulumi_aws(**namespaces: Iterable[str]) -> lazy_sdk.Deferred:
    """`pulumi_aws` with each service namespace named (`ec2=("vpc", ...)`) holding the public
    names of the resource or function modules listed for it, loaded when first read."""
    return lazy_sdk.Deferred(lambda: lazy_sdk.package("pulumi_aws", namespaces))
