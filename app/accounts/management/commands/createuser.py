"""`manage.py createuser`: make an author, or with ``--reviewer`` a staff reviewer.

``createsuperuser`` makes every user staff, and staff are the service's reviewers, so the first
user of a fresh install would silently be a reviewer. This command makes the role a choice, works
on every target (``make run``, Compose, a one-off ``manage`` task) and takes the password from
stdin for scripts.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Create a user: an author, or a staff reviewer with --reviewer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True, help="unique; authors are reached by it")
        parser.add_argument(
            "--reviewer",
            action="store_true",
            help="make the user staff: a reviewer, who may review submissions of others",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of stdin instead of prompting",
        )

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        reviewer: bool = options["reviewer"]
        user = get_user_model()(username=username, email=email, is_staff=reviewer)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise CommandError(_describe(exc)) from None
        password = _read_password(options["password_stdin"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"password: {' '.join(exc.messages)}") from None
        user.set_password(password)
        user.save()
        role = "reviewer (staff)" if reviewer else "author (not staff; --reviewer makes a reviewer)"
        self.stdout.write(f"created {username} <{email}>: {role}")


def _read_password(from_stdin: bool) -> str:
    """The password, from stdin's first line or typed twice at a prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("password: stdin was empty (--password-stdin reads its first line)")
        return password
    if not sys.stdin.isatty():
        raise CommandError("password: no terminal to prompt on; pass --password-stdin")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        raise CommandError("password: the two entries differ")
    return password


def _describe(exc: ValidationError) -> str:
    """One line per field: ``email: User with this Email address already exists.``"""
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
