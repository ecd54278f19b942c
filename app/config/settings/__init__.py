"""Settings entry point: picks the profile named by ``ENV`` (default ``development``).

``DJANGO_SETTINGS_MODULE=config.settings`` stays the same on every target; only ``ENV`` changes.
"""

from __future__ import annotations

import importlib
import os

from django.core.exceptions import ImproperlyConfigured

PROFILES = ("development", "staging", "production")

_env = os.environ.get("ENV", "development").strip() or "development"
if _env not in PROFILES:
    raise ImproperlyConfigured(f"ENV={_env!r} is not a settings profile; use one of {PROFILES}")

_profile = importlib.import_module(f"{__name__}.{_env}")
globals().update({key: value for key, value in vars(_profile).items() if key.isupper()})
