"""The two ways a PostgreSQL migration stops, which the CLI maps to exit codes 2 and 1."""

from __future__ import annotations


class PreflightError(Exception):
    """Bad input or a refusal before anything is written (exit 2): one message, no traceback."""


class CopyError(Exception):
    """A failure after writing started (exit 1); the journal lets `--resume` pick up from here."""
