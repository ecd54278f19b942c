from django.apps import AppConfig


class DeployConfig(AppConfig):
    """Commands the platform runs around a deploy (the release step)."""

    name = "deploy"
