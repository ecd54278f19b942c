"""App configuration for submissions."""

from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    """Submissions, their state machine and their manuscript files."""

    name = "submissions"
