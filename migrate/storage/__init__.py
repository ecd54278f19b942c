"""Object storage migration: list, parallel copy (multipart, server-side), SHA-256 verification.

`run.migrate_storage` is the entry point; the CLI in `cli/migrate_storage.py` only wires options.
"""
