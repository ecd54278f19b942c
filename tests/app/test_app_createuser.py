"""`manage.py createuser`: an author unless ``--reviewer``; bad input names the field, writes
nothing and exits non-zero."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

PASSWORD = "correct-horse-battery"


def create(*args: str, password: str = PASSWORD) -> str:
    out = io.StringIO()
    stdin = io.StringIO(password + "\n")
    with mock.patch("sys.stdin", stdin):
        call_command("createuser", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def test_a_user_is_an_author_unless_made_a_reviewer(db_vendor):
    from accounts.models import User

    assert "author (not staff" in create("alice", "--email", "alice@example.org")
    assert "reviewer (staff)" in create("rita", "--email", "rita@example.org", "--reviewer")
    alice, rita = User.objects.get(username="alice"), User.objects.get(username="rita")
    assert (alice.is_staff, alice.is_superuser) == (False, False)
    assert (rita.is_staff, rita.is_superuser) == (True, False)
    assert alice.check_password(PASSWORD) and rita.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["bob", "--email", "not-an-address"], PASSWORD, "email: Enter a valid email address."),
        (["bob", "--email", "bob@example.org"], "short", "password: This password is too short"),
        (["bob", "--email", "bob@example.org"], "", "password: stdin was empty"),
        (["alice", "--email", "bob@example.org"], PASSWORD, "username: A user with that username"),
        (["bob", "--email", "alice@example.org"], PASSWORD, "email: User with this Email"),
    ],
    ids=["email", "weak-password", "no-password", "taken-username", "taken-email"],
)
def test_bad_input_names_the_field_and_writes_nothing(db_vendor, args, password, message):
    from accounts.models import User

    create("alice", "--email", "alice@example.org")
    with pytest.raises(CommandError, match=message):
        create(*args, password=password)
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]


def test_without_a_terminal_or_stdin_flag_it_says_how_to_pass_the_password(db_vendor):
    with (
        mock.patch("sys.stdin", io.StringIO("")),
        pytest.raises(CommandError, match="--password-stdin"),
    ):
        call_command("createuser", "bob", "--email", "bob@example.org")
