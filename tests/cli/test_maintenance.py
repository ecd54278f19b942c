"""`trudeploy maintenance on|off|status` against a real redis-server of the test's own (the key's
name is fixed by the service's contract). `-s STACK` reads the stack's `redisUrl` output through
the Automation API; the Pulumi engine cannot run here, so only `stacks.live`'s two calls into it
are replaced, by a stack whose outputs are what `pulumi stack output` would hold."""

from __future__ import annotations

import json

import pytest
from pulumi.automation import OutputValue
from typer.testing import CliRunner

from cli.main import app
from migrate import maintenance


@pytest.fixture
def url(private_redis) -> str:
    private_redis.client.delete(maintenance.KEY)
    yield private_redis.url
    private_redis.client.delete(maintenance.KEY)


def run(*args: str):
    return CliRunner().invoke(app, ["maintenance", *args], terminal_width=200)


def test_on_status_off_round_trip_as_json(url, private_redis):
    assert json.loads(run("status", "--redis-url", url, "--json").stdout) == {"maintenance": "off"}

    on = run("on", "--redis-url", url, "--run-id", "ops-1", "--retry-after", "9", "--json")
    assert on.exit_code == 0, on.output
    written = json.loads(on.stdout)
    assert written["maintenance"] == "on" and written["retry_after"] == 9
    stored = json.loads(private_redis.client.get(maintenance.KEY))
    assert stored == {key: written[key] for key in ("run_id", "since", "retry_after", "reason")}

    status = json.loads(run("status", "--redis-url", url, "--json").stdout)
    assert status == {"maintenance": "on", "value": stored}

    off = run("off", "--redis-url", url, "--json")
    assert json.loads(off.stdout) == {"maintenance": "off", "was_on": True}
    assert private_redis.client.get(maintenance.KEY) is None
    assert json.loads(run("off", "--redis-url", url, "--json").stdout)["was_on"] is False


def test_status_for_people_names_the_holder_and_a_malformed_value(url, private_redis):
    run("on", "--redis-url", url, "--run-id", "ops-2", "--reason", "disk swap")
    shown = run("status", "--redis-url", url)
    assert shown.exit_code == 0
    assert "maintenance on" in shown.output and "ops-2" in shown.output
    assert "disk swap" in shown.output
    private_redis.client.set(maintenance.KEY, "1")
    assert "not the contract's JSON" in run("status", "--redis-url", url).output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["status"], 2, "exactly one of --redis-url"),
        (["status", "--redis-url", "redis://h", "-s", "dev"], 2, "exactly one of --redis-url"),
        (["on", "--redis-url", "http://h:6379"], 2, "is not a Redis URL"),
        (["on", "--redis-url", "redis://h", "--retry-after", "0"], 2, "--retry-after"),
        (["status", "-s", "no-such-stack"], 2, "Pulumi.no-such-stack.yaml"),
    ],
)
def test_bad_input_exits_2_naming_it(args, code, message):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_an_unreachable_redis_exits_1_without_printing_the_password():
    from tests.private_redis import _free_port

    result = run("on", "--redis-url", f"redis://:hunter2@127.0.0.1:{_free_port()}/0")
    assert result.exit_code == 1
    assert "entering maintenance at redis://:***@127.0.0.1" in result.output
    assert "hunter2" not in result.output


class _Stack:
    def __init__(self, outputs: dict[str, OutputValue]) -> None:
        self._outputs = outputs

    def outputs(self) -> dict[str, OutputValue]:
        return self._outputs


@pytest.fixture
def engine(monkeypatch):
    """The Automation API's stack, holding the outputs given."""
    from stacks import live

    def deploy(outputs: dict[str, OutputValue]) -> None:
        monkeypatch.setattr(live, "require_cli", lambda: "/usr/bin/pulumi")
        monkeypatch.setattr(live, "select_stack", lambda stack, root: _Stack(outputs))

    return deploy


def test_a_stack_is_switched_through_its_redis_url_output(url, private_redis, engine):
    engine({"redisUrl": OutputValue(url, secret=True), "bucket": OutputValue("b", secret=False)})
    assert run("on", "-s", "dev", "--run-id", "by-stack").exit_code == 0
    assert json.loads(private_redis.client.get(maintenance.KEY))["run_id"] == "by-stack"
    assert run("off", "-s", "dev").exit_code == 0
    assert private_redis.client.get(maintenance.KEY) is None


def test_a_stack_without_a_redis_url_output_is_refused(engine):
    engine({"bucket": OutputValue("b", secret=False)})
    result = run("status", "-s", "dev")
    assert result.exit_code == 2
    assert "stack 'dev' has no redisUrl output" in result.output
