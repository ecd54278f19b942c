"""The words every layer uses for a stack: its env profile, its target and abstract sizes."""

from __future__ import annotations

import enum
from typing import Literal


class Env(enum.StrEnum):
    """The env profile: decides sizing, HA, backups and protection (core/profiles.py)."""

    development = "development"
    staging = "staging"
    production = "production"


class TargetName(enum.StrEnum):
    """Where the service and its backing services run; one package per name in components/."""

    docker = "docker"
    render = "render"
    aws = "aws"
    gcp = "gcp"
    azure = "azure"
    kubernetes = "kubernetes"


Size = Literal["xs", "s", "m", "l", "xl"]
"""Abstract size; each target maps it to its own instance classes / plans."""
