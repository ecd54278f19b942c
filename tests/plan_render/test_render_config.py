"""The stack-file keys the render target reads: each bad combination fails validation with the
YAML path and what would be valid, and `trudeploy plan` exits 2 with one line, before any
resource is declared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from render_plans import ACCOUNT, REPO, image_config, staging_config

from stacks.config import ConfigError, parse_stack_config


def problems(config: dict) -> str:
    with pytest.raises(ConfigError) as exc:
        parse_stack_config(config, "Pulumi.bad.yaml")
    return "\n".join(exc.value.errors)


def test_the_repo_staging_file_and_its_variants_validate() -> None:
    assert parse_stack_config(staging_config(), "Pulumi.staging.yaml").render.region == "ohio"
    assert parse_stack_config(image_config(), "x").registry_token is not None
    r2 = staging_config(storage={"provider": "r2", "accountId": ACCOUNT}, **{"aws:region": None})
    assert parse_stack_config(r2, "x").storage.account_id == ACCOUNT


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"render": None}, "target render needs trudeploy:render with ownerId"),
        ({"render": {"region": "ohio"}}, "trudeploy:render.ownerId: Field required"),
        ({"render": {"ownerId": "tea-short"}}, "trudeploy:render.ownerId: String should match"),
        (
            {"render": {"ownerId": "tea-00000000000000000000", "region": "tokyo"}},
            "trudeploy:render.region: Input should be 'oregon', 'ohio', 'virginia'",
        ),
        ({"render": {"ownerId": "tea-00000000000000000000"}}, "set render.repo (https URL)"),
        ({"storage": {"provider": "native"}}, "Render has no object storage"),
        ({"storage": {"provider": "r2"}}, "storage.provider r2 needs storage.accountId"),
        ({"storage": {"provider": "r2", "accountId": "nope"}}, "trudeploy:storage.accountId"),
        ({"aws:region": None}, "storage.provider s3 needs `aws:region`"),
        ({"storage": {"provider": "gcs"}}, "Input should be 'native', 'r2' or 's3'"),
    ],
    ids=[
        "no-render",
        "no-owner",
        "bad-owner",
        "bad-region",
        "build-without-repo",
        "native-storage",
        "r2-without-account",
        "bad-account",
        "s3-without-region",
        "unknown-storage",
    ],
)
def test_bad_render_settings_name_the_field(overrides: dict, needle: str) -> None:
    assert needle in problems(staging_config(**overrides))


def test_registry_and_its_token_come_together() -> None:
    config = image_config()
    del config["trudeploy:registryToken"]
    assert "needs both render.registry and the secret trudeploy:registryToken" in problems(config)
    config = staging_config()
    config["trudeploy:registryToken"] = {"secure": "v1:x"}
    assert "or neither" in problems(config)


def test_render_settings_on_another_target_are_refused() -> None:
    docker = {"trudeploy:env": "development", "trudeploy:target": "docker"}
    assert "trudeploy:render is only used with target render" in problems(
        {**docker, "trudeploy:render": {"ownerId": "tea-00000000000000000000"}}
    )
    assert "target docker has its own: use native" in problems(
        {**docker, "trudeploy:storage": {"provider": "s3"}}
    )


def test_plan_refuses_a_neon_version_it_cannot_create(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    config = staging_config(postgres={"provider": "neon", "version": 16})
    (tmp_path / "Pulumi.neon16.yaml").write_text(yaml.safe_dump({"config": config}))
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "plan", "-s", "neon16", "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "postgres.provider neon creates PostgreSQL 17" in lines[0]
    assert "Traceback" not in proc.stderr
