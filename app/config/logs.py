"""One JSON-lines logging setup, shared by Django's settings and gunicorn's master process, so the
web server's own lines and the app's read the same way in the platform's log service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def json_logging(level: str, loggers: Iterable[str]) -> dict[str, Any]:
    """A dictConfig: every record one JSON object on stdout; `loggers` log there without
    propagating, so nothing is printed twice."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            name: {"handlers": ["stdout"], "level": level, "propagate": False} for name in loggers
        },
    }
