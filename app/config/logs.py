"""One JSON-lines logging setup, shared by Django's settings and gunicorn's master process, so the
web server's own lines and the app's read the same way in the platform's log service."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

# A request naming a host the service does not serve is the client's mistake (or a scanner), not
# the service's: Django logs it as an error with a traceback; one warning line says all there is.
CLIENT_MISTAKE_LOGGERS = ["django.security.DisallowedHost"]


class AsWarning(logging.Filter):
    """Rewrites a record to a WARNING without its traceback (a filter may modify the record it
    passes on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def json_logging(level: str, loggers: Iterable[str]) -> dict[str, Any]:
    """A dictConfig: every record one JSON object on stdout; `loggers` log there without
    propagating, so nothing is printed twice."""
    client_mistakes = {
        name: {"handlers": ["stdout"], "level": level, "propagate": False, "filters": ["warning"]}
        for name in CLIENT_MISTAKE_LOGGERS
    }
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
        "filters": {"warning": {"()": "config.logs.AsWarning"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            **{
                name: {"handlers": ["stdout"], "level": level, "propagate": False}
                for name in loggers
            },
            **client_mistakes,
        },
    }
