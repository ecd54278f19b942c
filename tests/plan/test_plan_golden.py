"""Each stack's plan equals its reviewed golden file, so every change shows in a diff.

Regenerate deliberately with `TRUDEPLOY_UPDATE_GOLDEN=1 pytest tests/plan/test_plan_golden.py`,
then review `git diff tests/plan/golden/` like any other change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from stacks.offline.runner import build_plan

GOLDEN = Path(__file__).parent / "golden"
STACKS = ["dev", "prod", "prod-azure", "prod-gcp", "prod-k8s", "staging"]
"""docker, aws, azure, gcp, kubernetes, render"""


@pytest.mark.parametrize("stack", STACKS)
def test_plan_matches_golden(stack: str) -> None:
    golden = GOLDEN / f"{stack}.json"
    actual = build_plan(stack).to_json()
    if os.environ.get("TRUDEPLOY_UPDATE_GOLDEN") == "1":
        golden.write_text(actual)
    assert golden.exists(), f"{golden} missing; create it with TRUDEPLOY_UPDATE_GOLDEN=1"
    expected = golden.read_text()
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(True),
            actual.splitlines(True),
            f"golden/{stack}.json",
            f"plan -s {stack}",
        )
    )
    assert actual == expected, f"{stack} plan differs from the golden file:\n{diff[:6000]}"


@pytest.mark.parametrize("stack", STACKS)
def test_plan_is_deterministic_and_names_no_local_path(stack: str) -> None:
    first = build_plan(stack).to_json()
    assert first == build_plan(stack).to_json()
    assert str(Path(__file__).resolve().parents[2]) not in first
