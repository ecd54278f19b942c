"""The app image a cluster runs: a pushed reference, pinned by tag or digest.

A cluster cannot build from this repository, and a moving tag (`latest`, or none, which means
`latest`) would let two pods of one Deployment run different code and make a rollback pull
something else. So the stack names `trudeploy:app.image` as `<repo>:<tag>` or `<repo>@sha256:...`
(stacks/config.py refuses anything else before a plan starts; this check keeps the target honest
when it is called directly).
"""

from __future__ import annotations

from components.contract import ImageSpec, TargetNotAvailable
from core.images import pinned


def app_image(spec: ImageSpec) -> str:
    """The reference every app pod runs; raises for a build or an unpinned reference."""
    if spec.image is None or not pinned(spec.image):
        raise TargetNotAvailable(
            "target kubernetes runs a pushed image: set trudeploy:app.image to "
            "<repository>:<tag> or <repository>@sha256:<digest> (not latest); "
            f"got {spec.image or 'app.build'}"
        )
    return spec.image
