"""PostgreSQL data plane: preflight, schema + parallel COPY from one snapshot, verification, resume.

`run.migrate` is the entry point; the CLI (`cli/migrate_postgres.py`) only wires options to it.
"""
