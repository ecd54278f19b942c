"""Staging: production's hardening with a short HSTS period, so a wrong domain is cheap to undo.

It passes ``check --deploy --fail-level WARNING`` like production. Its one difference, no HSTS
preload, is deliberate: a staging domain must never reach the browsers' preload list (a site on it
cannot go back to plain HTTP for months), so the check that asks for preload is silenced here, and
only here.
"""

from config.env import env_int

from .deployed import *  # noqa: F403

SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
