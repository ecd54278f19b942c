"""Redis migration: preflight, pipelined DUMP/RESTORE copy (by-type fallback), verification.

`run.migrate_redis` is the entry point; the CLI in `cli/migrate_redis.py` only wires options to it.
"""
