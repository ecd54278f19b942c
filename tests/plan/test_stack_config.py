"""The stack model: the repo's stack files validate, and bad ones fail with YAML paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.profiles import PROFILES
from stacks.config import ConfigError, Env, TargetName, load_stack_file, parse_stack_config
from stacks.profiles import resolve

REPO = Path(__file__).resolve().parents[2]
BASE = {"trudeploy:env": "development", "trudeploy:target": "docker"}


def errors_of(raw: dict, source: str = "Pulumi.x.yaml") -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, source)
    return [str(line) for line in str(info.value).splitlines()]


@pytest.mark.parametrize(
    ("stack", "env", "target"),
    [
        ("dev", Env.development, TargetName.docker),
        ("staging", Env.staging, TargetName.render),
        ("prod", Env.production, TargetName.aws),
    ],
)
def test_repo_stack_files_validate(stack: str, env: Env, target: TargetName) -> None:
    cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    assert (cfg.env, cfg.target) == (env, target)


def test_staging_uses_neon_and_upstash_and_prod_has_a_region() -> None:
    staging = load_stack_file(REPO / "Pulumi.staging.yaml")
    assert (staging.postgres.provider, staging.redis.provider) == ("neon", "upstash")
    assert load_stack_file(REPO / "Pulumi.prod.yaml").settings()["aws:region"]


def test_wrong_type_names_the_yaml_path_and_what_is_allowed() -> None:
    lines = errors_of({**BASE, "trudeploy:postgres": {"version": "sixteen"}}, "Pulumi.prod.yaml")
    assert lines == [
        "Pulumi.prod.yaml: trudeploy:postgres.version: Input should be 14, 15, 16 or 17"
    ]


def test_unknown_target_lists_the_targets() -> None:
    (line,) = errors_of({**BASE, "trudeploy:target": "heroku"})
    assert line.startswith("Pulumi.x.yaml: trudeploy:target: ")
    for name in ("docker", "render", "aws", "gcp", "azure", "kubernetes"):
        assert name in line


def test_unknown_keys_are_rejected_with_the_allowed_ones() -> None:
    lines = errors_of({**BASE, "trudeploy:redis": {"verison": 7}, "trudeploy:regoin": "x"})
    assert any(
        line.startswith("Pulumi.x.yaml: trudeploy:redis.verison: unknown key; allowed: ")
        and "version" in line
        for line in lines
    )
    assert any(line.startswith("Pulumi.x.yaml: trudeploy:regoin: unknown key") for line in lines)


def test_every_error_is_reported_not_only_the_first() -> None:
    lines = errors_of(
        {
            "trudeploy:env": "prod",
            "trudeploy:target": "docker",
            "trudeploy:app": {"port": 0, "replicas": {"beat": 2}},
        }
    )
    paths = [line.split(": ")[1] for line in lines]
    assert paths == ["trudeploy:env", "trudeploy:app.port", "trudeploy:app.replicas.beat"]


def test_external_provider_requires_its_secret() -> None:
    (line,) = errors_of({**BASE, "trudeploy:postgres": {"provider": "external"}})
    assert "trudeploy:postgresUrl is missing" in line
    assert "pulumi config set --secret" in line


def test_a_secret_key_given_in_plaintext_is_rejected() -> None:
    raw = {
        **BASE,
        "trudeploy:redis": {"provider": "external"},
        "trudeploy:redisUrl": "redis://:hunter2@cache:6379/0",
    }
    (line,) = errors_of(raw)
    assert line.startswith("Pulumi.x.yaml: trudeploy:redisUrl: ")


def test_external_secret_present_validates() -> None:
    cfg = parse_stack_config(
        {
            **BASE,
            "trudeploy:postgres": {"provider": "external"},
            "trudeploy:postgresUrl": {"secure": "v1:abc:def"},
        },
        "Pulumi.x.yaml",
    )
    assert cfg.postgres_url is not None


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"trudeploy:target": "aws"}, "needs `aws:region`"),
        ({"trudeploy:postgres": {"provider": "upstash"}}, "trudeploy:postgres.provider"),
        ({"trudeploy:app": {"image": "x:1", "build": {}}}, "not both"),
        (
            {"trudeploy:postgresUrl": {"secure": "v1:x"}},
            "only used with postgres.provider external",
        ),
        ({"env": "development"}, "config keys are `namespace:key`"),
    ],
)
def test_impossible_combinations(extra: dict, needle: str) -> None:
    assert any(needle in line for line in errors_of({**BASE, **extra}))


def test_bad_files(tmp_path: Path) -> None:
    missing = tmp_path / "Pulumi.none.yaml"
    with pytest.raises(ConfigError, match="no such stack file"):
        load_stack_file(missing)
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_stack_file(broken)
    empty = tmp_path / "Pulumi.empty.yaml"
    empty.write_text("encryptionsalt: x\n")
    with pytest.raises(ConfigError, match="missing top-level `config:`"):
        load_stack_file(empty)


def test_profiles_make_production_safe_and_development_small() -> None:
    prod, dev = PROFILES[Env.production], PROFILES[Env.development]
    assert prod.postgres_ha and prod.redis_ha and prod.deletion_protection and prod.final_snapshot
    assert prod.backup_retention_days >= 7 and prod.point_in_time_recovery
    assert prod.storage_versioning and prod.web_replicas >= 2
    assert not dev.postgres_ha and dev.web_replicas == 1 and dev.postgres_size == "xs"
    assert set(PROFILES) == set(Env)


def test_stack_overrides_apply_on_top_of_the_profile() -> None:
    cfg = parse_stack_config(
        {
            **BASE,
            "trudeploy:postgres": {"ha": True, "size": "l"},
            "trudeploy:app": {"replicas": {"web": 3}},
        },
        "Pulumi.x.yaml",
    )
    profile = resolve(cfg)
    assert (profile.postgres_ha, profile.postgres_size, profile.web_replicas) == (True, "l", 3)
    assert profile.redis_ha is False


def test_every_problem_is_reported_at_once() -> None:
    """A bad env must not hide the missing provider setting until the next run."""
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(
            {"trudeploy:env": "prod", "trudeploy:target": "aws", "trudeploy:postgres": {"x": 1}},
            "Pulumi.x.yaml",
        )
    errors = caught.value.errors
    assert any(e.startswith("trudeploy:env: Input should be") for e in errors)
    assert any(e.startswith("trudeploy:postgres.x: unknown key") for e in errors)
    assert "trudeploy: target aws needs `aws:region` in the stack config" in errors
