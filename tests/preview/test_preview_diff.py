"""`trudeploy plan diff` on crafted plan pairs: add, remove, change, replace, a secret, a violation,
and the Markdown as GitHub's renderer (CommonMark + GFM tables) would read it."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from stacks.offline.diff import diff_documents
from stacks.offline.diff_render import MARKER, markdown
from stacks.offline.plans import FORMAT

REPO = Path(__file__).resolve().parents[2]
URN = "urn:pulumi:dev::trudeploy::"


def resource(name_: str, type_: str, **inputs: Any) -> dict[str, Any]:
    return {
        "urn": f"{URN}{type_}::{name_}",
        "type": type_,
        "name": name_,
        "custom": True,
        "inputs": inputs,
        "outputs": {},
        "parent": None,
        "protect": False,
        "id": None,
        "dependencies": [],
        "property_dependencies": {},
    }


CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"
BUCKET = "aws:s3/bucketVersioning:BucketVersioning"
PASSWORD = "random:index/randomPassword:RandomPassword"


def entry(resources: list[dict[str, Any]], broken: list[str] | None = None) -> dict[str, Any]:
    return {
        "target": "docker",
        "plan": {"resources": resources, "unsimulated_types": ["docker:index/x:Unknown"]},
        "invariants": {"broken": broken or [], "excused": []},
        "constraint_violations": [],
        "errors": [],
    }


def doc(**stacks: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "stacks": stacks}


def base_resources() -> list[dict[str, Any]]:
    return [
        resource(
            "web",
            CONTAINER,
            image="app:1",
            envs=["ENV=development", "SECRET_KEY=[secret]"],
            restart="unless-stopped",
        ),
        resource("pgdata", VOLUME, name="pgdata"),
        resource("versioning", BUCKET, status="Enabled"),
        resource("secret-key", PASSWORD, length=50, special=True),
    ]


@pytest.fixture
def pair() -> tuple[dict[str, Any], dict[str, Any]]:
    """Base, and a head that adds a worker, removes the volume, updates the bucket in place,
    replaces web (new image), and turns a plain env value into a secret."""
    base = base_resources()
    head = copy.deepcopy(base)
    web = head[0]["inputs"]
    web["image"] = "app:2"
    web["envs"][0] = "ENV=[secret]"
    head[2]["inputs"]["status"] = "Suspended"
    head[3]["inputs"]["length"] = 64
    del head[1]
    head.append(resource("worker", CONTAINER, image="app:2"))
    return doc(dev=entry(base)), doc(dev=entry(head))


def test_added_removed_changed_and_replaced(pair: tuple[dict, dict]) -> None:
    (s,) = diff_documents(*pair).stacks
    assert s.added == [(CONTAINER, "worker")]
    assert s.removed == [(VOLUME, "pgdata")]
    changed = {c.name: c for c in s.changed}
    assert set(changed) == {"web", "versioning", "secret-key"}
    assert changed["web"].replaced, "a new image recreates a docker container"
    assert changed["secret-key"].replaced, "every argument of RandomPassword regenerates it"
    assert not changed["versioning"].replaced, "bucket versioning is updated in place"
    image = next(i for i in changed["web"].inputs if i.path == "image")
    assert (image.old, image.new, image.replaces) == ("app:1", "app:2", True)


def test_a_value_that_becomes_secret_is_masked(pair: tuple[dict, dict]) -> None:
    (s,) = diff_documents(*pair).stacks
    web = next(c for c in s.changed if c.name == "web")
    env = next(i for i in web.inputs if i.path == "envs[0]")
    assert (env.old, env.new) == ("ENV=development", "[secret]")
    assert "ENV=[secret]" not in markdown(diff_documents(*pair))


def test_a_secret_is_shown_masked_whatever_its_text(pair: tuple[dict, dict]) -> None:
    base, head = pair
    head["stacks"]["dev"]["plan"]["resources"][0]["inputs"]["envs"][1] = "SECRET_KEY=[secret]x"
    (s,) = diff_documents(base, head).stacks
    web = next(c for c in s.changed if c.name == "web")
    env = next(i for i in web.inputs if i.path == "envs[1]")
    assert (env.old, env.new) == ("[secret]", "[secret]")


def test_a_violation_that_appears_is_reported_as_new_and_fails(
    pair: tuple[dict, dict], tmp_path: Path
) -> None:
    base, head = pair
    head["stacks"]["dev"]["invariants"]["broken"] = ["W3 exactly one beat: found 2"]
    diff = diff_documents(base, head)
    assert diff.violations == 1
    (s,) = diff.stacks
    assert s.new_violations == {"invariant W3 exactly one beat: found 2"}
    md = markdown(diff)
    assert "(new) `invariant W3 exactly one beat: found 2`" in md
    assert "❌ 1 violation(s)" in md

    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "head.json").write_text(json.dumps(head))
    proc = cli("plan", "diff", str(tmp_path / "base.json"), str(tmp_path / "head.json"))
    assert proc.returncode == 1, proc.stderr
    assert "violation: invariant W3 exactly one beat" in proc.stdout


def test_no_violation_exits_0(pair: tuple[dict, dict], tmp_path: Path) -> None:
    (tmp_path / "base.json").write_text(json.dumps(pair[0]))
    (tmp_path / "head.json").write_text(json.dumps(pair[1]))
    proc = cli(
        "plan", "diff", str(tmp_path / "base.json"), str(tmp_path / "head.json"), "--markdown"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(MARKER)


def test_constraint_violations_and_errors_count() -> None:
    head = entry([])
    head["constraint_violations"] = ["Pulumi.dev.yaml: provider would refuse x"]
    head["errors"] = ["Pulumi.dev.yaml: trudeploy:env: Field required"]
    diff = diff_documents(doc(), doc(dev=head))
    (s,) = diff.stacks
    assert s.status == "added"
    assert diff.violations == 2


def test_a_stack_that_goes_away_is_listed_with_its_resources() -> None:
    diff = diff_documents(doc(dev=entry(base_resources())), doc())
    (s,) = diff.stacks
    assert s.status == "removed"
    assert len(s.removed) == 4
    assert diff.violations == 0


def test_markdown_renders_as_one_table_and_sections(pair: tuple[dict, dict]) -> None:
    base, head = pair
    head["stacks"]["dev"]["plan"]["resources"][0]["inputs"]["command"] = ["sh", "-c", "a | b `c`"]
    md = markdown(diff_documents(base, head), notes=["live preview skipped: no credentials"])
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert html.count("<table>") == 1
    # header + one stack row, every cell in place (a stray `|` would add a column)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 1
    assert html.split("<tbody>")[1].count("<td") == 7
    assert "<summary>✅ dev (docker)</summary>" in html
    assert "<code>sh -c a | b 'c'</code>" not in html  # lists are shown whole per item
    assert "<code>a | b 'c'</code>" in html
    assert "forces replacement" in html
    assert "<blockquote>" in html and "live preview skipped" in html


def test_a_file_that_is_not_a_plans_document_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps({"project": "trudeploy", "resources": []}))
    proc = cli("plan", "diff", str(bad), str(bad))
    assert proc.returncode == 2
    assert f"{bad}: format is None, expected '{FORMAT}'" in proc.stderr.replace("\n", "")
    assert "Traceback" not in proc.stderr


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
