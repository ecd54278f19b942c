"""App configuration for the API routes."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Routes, authentication endpoints and throttling of /api/v1/."""

    name = "api"
