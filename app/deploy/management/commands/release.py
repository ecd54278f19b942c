"""`manage.py release`: the deploy's release step — migrations, serialised across replicas.

Some targets start the release step beside each new web task (ECS runs it as a container that web
waits for), so several can start at once. Holding a PostgreSQL advisory lock around `migrate` makes
the first run apply the migrations and the others find nothing left to do, instead of racing on
the same DDL. Databases without advisory locks (SQLite, the embedded default) have one writer
anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

# Any stable 64-bit number; only release runs of this service take it.
RELEASE_LOCK_ID = 0x7472756465706C6F  # "trudeplo"


class Command(BaseCommand):
    help = "Apply database migrations, holding a lock so concurrent release runs apply them once."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [RELEASE_LOCK_ID])
            try:
                call_command("migrate", interactive=False, verbosity=options["verbosity"])
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RELEASE_LOCK_ID])
