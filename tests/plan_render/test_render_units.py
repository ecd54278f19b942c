"""The render target's small pure helpers: plan tables, paths, URLs and derived credentials."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from components.render.common import postgres_plan, service_plan
from components.render.image import repo_path
from components.render.neon import require_tls
from components.render.r2 import bucket_resource, s3_secret_key
from core.profiles import APP_SIZES


@pytest.mark.parametrize(
    ("size", "plan"),
    [("xs", "starter"), ("s", "standard"), ("m", "standard"), ("l", "pro"), ("xl", "pro_plus")],
)
def test_service_plan_is_the_smallest_that_covers_the_size(size: str, plan: str) -> None:
    assert service_plan(*APP_SIZES[size]) == plan


def test_service_plan_past_the_largest_is_the_largest() -> None:
    assert service_plan(64.0, 10**6) == "pro_ultra"


@pytest.mark.parametrize(
    ("size", "ha", "plan"),
    [("xs", False, "basic_256mb"), ("s", True, "pro_4gb"), ("l", True, "pro_8gb")],
)
def test_postgres_plan_raises_basic_plans_asked_for_ha(size: str, ha: bool, plan: str) -> None:
    assert postgres_plan(size, ha) == plan


def test_build_paths_are_relative_to_the_repository() -> None:
    root = Path("/src/repo")
    assert repo_path(root / "app" / "Dockerfile", root, "x") == "./app/Dockerfile"
    assert repo_path(None, root, "app") == "./app"


def test_neon_url_asks_for_tls_and_keeps_other_parameters() -> None:
    url = "postgresql://u:p@ep-x.us-east-2.aws.neon.tech/neondb?sslmode=prefer&channel_binding=x"
    assert require_tls(url).endswith("/neondb?sslmode=require&channel_binding=x")
    assert require_tls("postgresql://u:p@h/db").endswith("/db?sslmode=require")


def test_r2_credentials_derive_from_the_token_as_cloudflare_documents() -> None:
    assert s3_secret_key("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(s3_secret_key("token-value")) == 64
    resource = json.loads(bucket_resource("a" * 32, "media"))
    assert resource == {f"com.cloudflare.edge.r2.bucket.{'a' * 32}_default_media": "*"}
