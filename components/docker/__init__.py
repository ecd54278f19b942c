"""Local Docker target: fills the contract with containers on the local daemon."""

from components.docker.target import DockerTarget as Target

__all__ = ["Target"]
