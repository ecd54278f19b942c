"""Production: a year of HSTS with preload; passes ``check --deploy --fail-level WARNING``."""

from config.env import env_int

from .deployed import *  # noqa: F403

SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_PRELOAD = True
