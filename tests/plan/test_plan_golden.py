"""The dev stack's plan equals the reviewed golden file, so every change shows in a diff.

Regenerate deliberately with `TRUDEPLOY_UPDATE_GOLDEN=1 pytest tests/plan/test_plan_golden.py`,
then review `git diff tests/plan/golden/dev.json` like any other change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from stacks.offline.runner import build_plan

GOLDEN = Path(__file__).parent / "golden" / "dev.json"


def test_dev_plan_matches_golden() -> None:
    actual = build_plan("dev").to_json()
    if os.environ.get("TRUDEPLOY_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(actual)
    assert GOLDEN.exists(), f"{GOLDEN} missing; create it with TRUDEPLOY_UPDATE_GOLDEN=1"
    expected = GOLDEN.read_text()
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True), "golden/dev.json", "plan -s dev"
        )
    )
    assert actual == expected, f"dev plan differs from the golden file:\n{diff[:6000]}"


def test_plan_is_deterministic() -> None:
    assert build_plan("dev").to_json() == build_plan("dev").to_json()
