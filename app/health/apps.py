"""App configuration for the health probes."""

from django.apps import AppConfig


class HealthConfig(AppConfig):
    """Health probes (no models)."""

    name = "health"
