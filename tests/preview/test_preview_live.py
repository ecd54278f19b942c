"""`trudeploy preview|up|destroy|outputs`: the refusals that must happen before any cloud call,
and the engine events drawn as progress. No Pulumi CLI exists here, so no real `pulumi up` runs;
the engine events are a crafted log in the engine's JSON event format (data/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi.automation import OutputValue, events
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.progress import EngineProgress, short
from stacks import live
from stacks.offline import invariants

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "tests" / "preview" / "data" / "engine_events_up_failed.jsonl"


def cli(*args: str, path: Path) -> subprocess.CompletedProcess[str]:
    """The CLI with PATH = `path`, an empty directory: no `pulumi` whatever the machine has."""
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "400", "PATH": str(path)},
    )


@pytest.mark.parametrize(
    "args",
    [
        ("preview", "-s", "dev"),
        ("up", "-s", "dev"),
        ("destroy", "-s", "dev"),
        ("outputs", "-s", "dev", "--json", "--show-secrets"),
    ],
    ids=lambda a: a[0],
)
def test_without_the_pulumi_cli_one_line_says_how_to_install_it(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    proc = cli(*args, path=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"error: {live.INSTALL_HINT}"]


def test_a_bad_stack_file_is_refused_before_the_cli_is_looked_for(tmp_path: Path) -> None:
    proc = cli("outputs", "-s", "nope", path=tmp_path)
    assert proc.returncode == 2
    assert "Pulumi.nope.yaml: no such stack file" in proc.stderr
    assert "Pulumi CLI" not in proc.stderr


@pytest.mark.parametrize("command", ["preview", "up"])
def test_an_invariant_violation_refuses_before_touching_the_cloud(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = {
        **invariants.CHECKS,
        "X planted": lambda plan, view: [f"{plan.resources[-1].urn}: planted"],
    }
    monkeypatch.setattr(invariants, "CHECKS", planted)
    monkeypatch.setattr(live.shutil, "which", lambda name: "/opt/pulumi/bin/pulumi")
    touched: list[str] = []
    monkeypatch.setattr(live, "select_stack", lambda *a: touched.append("cloud"))
    result = CliRunner().invoke(app, [command, "-s", "dev"], terminal_width=400)
    assert result.exit_code == 2
    assert "invariant X planted: urn:pulumi:dev::trudeploy::" in result.output
    assert "refused before any cloud call" in result.output
    assert touched == []


def test_with_a_cli_and_a_clean_plan_the_engine_is_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counterpart of the refusal: same command, no violation, reaches `select_stack`."""
    monkeypatch.setattr(live.shutil, "which", lambda name: "/opt/pulumi/bin/pulumi")

    def engine(*args: object) -> None:
        raise RuntimeError("engine reached")

    monkeypatch.setattr(live, "select_stack", engine)
    result = CliRunner().invoke(app, ["preview", "-s", "dev"])
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "engine reached"


def recorded() -> list[events.EngineEvent]:
    return [events.EngineEvent.from_json(json.loads(line)) for line in EVENTS.open()]


def test_engine_events_become_progress_errors_and_policy_results() -> None:
    progress = EngineProgress(total=4)
    for event in recorded():
        progress.apply(event)
    assert len(progress.done) == 2  # the stack (same) and the network (created)
    assert progress.changes == {"create": 1}
    # the password update never finished, the web container failed: neither is done
    assert list(progress.current.values()) == ["update"]
    assert progress.errors == [
        "trudeploy-dev-app-web-0 (Container): container exited with code 1",
        "trudeploy-dev-app-web-0 (Container): create failed",
        "policy w3-exactly-one-beat (mandatory): W3 exactly one beat: expected exactly one "
        "beat, found 0",
    ]
    assert progress.warnings == [
        "a note without a resource",
        "policy documented-exceptions (advisory): trudeploy-dev-app-web-0 (Container): "
        "documented exception: W4 health paths",
    ]
    assert progress.summary == {"create": 1, "same": 1}


def test_the_progress_view_shows_done_of_total_operations_and_errors() -> None:
    progress = EngineProgress(total=4)
    for event in recorded():
        progress.apply(event)
    console = Console(record=True, width=200, color_system=None)
    console.print(progress.render())
    text = console.export_text()
    assert "2/4" in text
    assert "update: trudeploy-dev-secret-key (RandomPassword)" in text
    assert "error: trudeploy-dev-app-web-0 (Container): create failed" in text


def test_short_names_a_nested_resource() -> None:
    urn = "urn:pulumi:s::p::a:b:C$docker:index/network:Network::net"
    assert short(urn) == "net (Network)"


def test_outputs_mask_secrets_unless_asked() -> None:
    values = {
        "url": OutputValue("http://localhost:8000/", False),
        "databaseUrl": OutputValue("postgresql://app:pw@db/app", True),
    }
    assert live.shown_outputs(values, show_secrets=False) == {
        "databaseUrl": "[secret]",
        "url": "http://localhost:8000/",
    }
    assert live.shown_outputs(values, show_secrets=True)["databaseUrl"].startswith("postgresql")
