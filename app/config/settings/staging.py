"""Staging: production's hardening with a short HSTS period, so a wrong domain is cheap to undo."""

from config.env import env_int

from .deployed import *  # noqa: F403

SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
SECURE_HSTS_PRELOAD = False
