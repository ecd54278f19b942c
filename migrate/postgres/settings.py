"""Database-level settings (`ALTER DATABASE ... SET name = value`) carried to the target.

They live outside any schema, so pg_dump's sections leave them out, yet the application depends on
them (search_path, TimeZone, statement_timeout, ...). Setting them needs the target database's
owner (or a superuser); a role without that gets each as a statement to run, and verification
compares them either way.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

# Settings whose value is a list of quoted names, split and quoted item by item as pg_dump does
# (setting the whole text as one literal would make it a single name).
_LIST_SETTINGS = {
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
    "unix_socket_directories",
}


def _list_items(value: str) -> list[str]:
    """`"$user", public` -> ['$user', 'public']: commas outside double quotes separate items."""
    items, current, quoted, i = [], "", False, 0
    while i < len(value):
        char = value[i]
        if char == '"':
            if quoted and value[i + 1 : i + 2] == '"':
                current += '"'
                i += 1
            else:
                quoted = not quoted
        elif char == "," and not quoted:
            items.append(current.strip())
            current = ""
        else:
            current += char
        i += 1
    items.append(current.strip())
    return [item for item in items if item]


def statement(database: str, name: str, value: str) -> sql.Composed:
    """`ALTER DATABASE "db" SET name TO value` for one stored `name=value` setting."""
    values = _list_items(value) if name.lower() in _LIST_SETTINGS else [value]
    return sql.SQL("ALTER DATABASE {} SET {} TO {}").format(
        sql.Identifier(database),
        sql.SQL(".").join(sql.Identifier(part) for part in name.split(".")),
        sql.SQL(", ").join(sql.Literal(v) for v in values) if values else sql.Literal(""),
    )


def copy_settings(target: psycopg.Connection, settings: dict[str, str]) -> list[str]:
    """Apply `settings` to the target's database; returns the statements it was not allowed to
    run (for the operator), empty when all were applied. Re-running is harmless."""
    database = target.info.dbname
    refused = []
    for name, value in sorted(settings.items()):
        query = statement(database, name, value)
        try:
            target.execute(query)
        except psycopg.errors.InsufficientPrivilege:
            refused.append(query.as_string(target))
    return refused
