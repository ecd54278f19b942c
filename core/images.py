"""Container image references: whether one names fixed content. The stack file's validation and
the kubernetes target both ask (components/kubernetes/image.py says why a cluster needs it), so the
rule lives below both."""

from __future__ import annotations

import re

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
TAG = re.compile(r":([\w][\w.-]{0,127})$")


def pinned(reference: str) -> bool:
    """True for a reference with a digest, or a tag other than `latest`."""
    if DIGEST.search(reference):
        return True
    match = TAG.search(reference.rsplit("/", 1)[-1])
    return match is not None and match.group(1) != "latest"
