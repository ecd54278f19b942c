"""`manage.py release`: the deploy's release step — migrations, serialised across replicas.

Some targets start the release step beside each new web task (ECS runs it as a container that web
waits for), so several can start at once. Holding a PostgreSQL advisory lock around `migrate` makes
the first run apply the migrations and the others find nothing left to do, instead of racing on
the same DDL. Databases without advisory locks (SQLite, the embedded default) have one writer
anyway.

Before that it waits, bounded, for the database to accept a connection: on Cloud Run with Direct
VPC egress the first connections of a new instance can fail for a minute or more
(https://cloud.google.com/run/docs/configuring/vpc-direct-vpc), and a release job that gives up at
once fails the deploy. The bound is an option with a code default, not an env-contract key, so
no target has to set it.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection

# Any stable 64-bit number; only release runs of this service take it.
RELEASE_LOCK_ID = 0x7472756465706C6F  # "trudeplo"
DEFAULT_DB_WAIT_SECONDS = 120
RETRY_PAUSE_SECONDS = 2.0


class Command(BaseCommand):
    help = "Apply database migrations, holding a lock so concurrent release runs apply them once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--db-wait-seconds",
            type=float,
            default=DEFAULT_DB_WAIT_SECONDS,
            help="Seconds to retry the first database connection (default %(default)s).",
        )

    def wait_for_database(self, budget: float) -> None:
        """Retry connecting until ``budget`` seconds have passed, logging each failure."""
        deadline = time.monotonic() + budget
        attempt = 0
        while True:
            attempt += 1
            try:
                connection.ensure_connection()
                return
            except OperationalError as error:
                connection.close()
                remaining = deadline - time.monotonic()
                reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                if remaining <= 0:
                    raise CommandError(
                        f"release: database not reachable after {attempt} attempts in "
                        f"{budget:g}s (--db-wait-seconds): {reason}"
                    ) from error
                self.stderr.write(
                    f"release: database not reachable yet (attempt {attempt}, "
                    f"{remaining:.0f}s left): {reason}"
                )
                time.sleep(min(RETRY_PAUSE_SECONDS, remaining))

    def handle(self, *args: Any, **options: Any) -> None:
        self.wait_for_database(options["db_wait_seconds"])
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [RELEASE_LOCK_ID])
            try:
                call_command("migrate", interactive=False, verbosity=options["verbosity"])
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RELEASE_LOCK_ID])
