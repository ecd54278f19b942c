"""The prod stack's plan (target aws) equals the reviewed golden file, so every change shows in a
diff.

Regenerate deliberately with `TRUDEPLOY_UPDATE_GOLDEN=1 pytest tests/plan_aws/test_aws_golden.py`,
then review `git diff tests/plan_aws/golden/prod.json` like any other change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from stacks.offline.runner import build_plan

GOLDEN = Path(__file__).parent / "golden" / "prod.json"


def test_prod_plan_matches_golden() -> None:
    actual = build_plan("prod").to_json()
    if os.environ.get("TRUDEPLOY_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(actual)
    assert GOLDEN.exists(), f"{GOLDEN} missing; create it with TRUDEPLOY_UPDATE_GOLDEN=1"
    expected = GOLDEN.read_text()
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True), "golden/prod.json", "plan -s prod"
        )
    )
    assert actual == expected, f"prod plan differs from the golden file:\n{diff[:6000]}"


def test_prod_plan_is_deterministic_and_names_no_local_path() -> None:
    first = build_plan("prod").to_json()
    assert first == build_plan("prod").to_json()
    assert str(Path(__file__).resolve().parents[2]) not in first
