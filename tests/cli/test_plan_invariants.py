"""`trudeploy plan` reports the plan's invariant results and exits 1 on a violation."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from stacks.offline import invariants


def run_plan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["plan", "-s", "dev", *args], terminal_width=300)
    return result.exit_code, result.output


def test_a_clean_plan_says_every_invariant_holds() -> None:
    code, output = run_plan()
    assert code == 0, output
    assert f"invariants: {len(invariants.CHECKS)} checked, none broken (" in output


def test_a_targets_documented_exceptions_are_shown_but_do_not_fail() -> None:
    result = CliRunner().invoke(app, ["plan", "-s", "staging"], terminal_width=400)
    assert result.exit_code == 0, result.output
    assert "documented exception: W4 health paths:" in result.output
    assert "none broken, 2 documented exceptions" in result.output


@pytest.mark.parametrize("args", [(), ("--json",)])
def test_a_violation_is_named_and_exits_1(monkeypatch: pytest.MonkeyPatch, args) -> None:
    planted = {**invariants.CHECKS, "X planted": lambda plan, view: ["web has no friend"]}
    monkeypatch.setattr(invariants, "CHECKS", planted)
    code, output = run_plan(*args)
    assert code == 1
    assert "invariant X planted: web has no friend" in output
