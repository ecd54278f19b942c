"""Targets are imported only when a stack selects them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from components import registry
from components.contract import TargetNotAvailable

REPO = Path(__file__).resolve().parents[2]
AZURE_SUBMODULES = {
    "app",
    "authorization",
    "containerregistry",
    "dbforpostgresql",
    "keyvault",
    "managedidentity",
    "network",
    "operationalinsights",
    "privatedns",
    "redisenterprise",
    "resources",
    "storage",
}
OTHER_SDKS = ("pulumi_aws", "pulumi_gcp", "pulumi_azure_native", "pulumi_kubernetes")

PROBE = """
import json, sys
before = sorted(m for m in sys.modules if m.startswith("pulumi_"))
from stacks.offline.runner import build_plan
plan = build_plan("dev")
after = sorted({m.split(".")[0] for m in sys.modules if m.startswith("pulumi_")})
print(json.dumps({"before": before, "after": after, "resources": len(plan.resources)}))
"""


def test_docker_plan_never_imports_other_provider_sdks() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["before"] == []
    assert seen["resources"] > 20
    # positive control: the selected target's SDK (and pulumi_random) were imported
    assert {"pulumi_docker", "pulumi_random"} <= set(seen["after"])
    assert not set(OTHER_SDKS) & set(seen["after"])


def test_unknown_target_names_the_allowed_ones() -> None:
    with pytest.raises(TargetNotAvailable, match="unknown target 'heroku'; allowed: docker"):
        registry.load_target("heroku")


def test_render_plan_imports_only_the_sdks_its_stack_selects() -> None:
    """staging: Render, Neon, Upstash and AWS (its S3 bucket); never Cloudflare or Docker."""
    probe = PROBE.replace('build_plan("dev")', 'build_plan("staging")').replace(
        'startswith("pulumi_")', 'startswith(("pulumi_", "upstash_pulumi"))'
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    after = set(json.loads(proc.stdout.strip().splitlines()[-1])["after"])
    assert {"pulumi_render", "pulumi_neon", "upstash_pulumi", "pulumi_aws"} <= after
    assert not {"pulumi_cloudflare", "pulumi_docker", "pulumi_gcp"} & after


def test_render_target_and_its_plan_hooks_load() -> None:
    assert registry.load_target("render").name == "render"
    assert "render:services:WebService" in registry.simulated_rules("render")
    assert "render:services:WebService" in registry.constraints("render")
    assert hasattr(registry.plan_view("render"), "processes")


def test_docker_target_and_its_plan_hooks_load() -> None:
    assert registry.load_target("docker").name == "docker"
    assert "docker:index/container:Container" in registry.simulated_rules("docker")
    assert hasattr(registry.plan_view("docker"), "processes")


def test_kubernetes_target_and_its_plan_hooks_load() -> None:
    assert registry.load_target("kubernetes").name == "kubernetes"
    assert "kubernetes:apps/v1:Deployment" in registry.simulated_rules("kubernetes")
    assert "kubernetes:apps/v1:Deployment" in registry.constraints("kubernetes")
    assert hasattr(registry.plan_view("kubernetes"), "processes")


def test_kubernetes_plan_imports_only_its_sdk() -> None:
    """prod-k8s: pulumi_kubernetes (and pulumi_random), never another cloud's SDK."""
    probe = PROBE.replace('build_plan("dev")', 'build_plan("prod-k8s")')
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    after = set(json.loads(proc.stdout.strip().splitlines()[-1])["after"])
    assert {"pulumi_kubernetes", "pulumi_random"} <= after
    assert not {"pulumi_aws", "pulumi_docker", "pulumi_render", "pulumi_gcp"} & after


def test_gcp_target_and_its_plan_hooks_load() -> None:
    assert registry.load_target("gcp").name == "gcp"
    assert "gcp:cloudrunv2/service:Service" in registry.simulated_rules("gcp")
    assert "gcp:cloudrunv2/service:Service" in registry.constraints("gcp")
    assert hasattr(registry.plan_view("gcp"), "processes")


def test_gcp_plan_imports_only_the_sdks_its_stack_selects() -> None:
    """prod-gcp: pulumi_gcp, pulumi_docker (the image build) and pulumi_random; never AWS."""
    probe = PROBE.replace('build_plan("dev")', 'build_plan("prod-gcp")')
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    after = set(json.loads(proc.stdout.strip().splitlines()[-1])["after"])
    assert {"pulumi_gcp", "pulumi_docker", "pulumi_random"} <= after
    assert not {"pulumi_aws", "pulumi_azure_native", "pulumi_kubernetes"} & after


def test_azure_target_and_its_plan_hooks_load() -> None:
    assert registry.load_target("azure").name == "azure"
    assert "azure-native:app:ContainerApp" in registry.simulated_rules("azure")
    assert "azure-native:app:ContainerApp" in registry.constraints("azure")
    assert hasattr(registry.plan_view("azure"), "processes")


def test_azure_plan_imports_only_the_sdk_submodules_it_uses() -> None:
    """prod-azure: pulumi_azure_native (only the submodules its components import),
    pulumi_docker (the image build) and pulumi_random; never AWS or GCP."""
    probe = PROBE.replace('build_plan("dev")', 'build_plan("prod-azure")')
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    after = set(json.loads(proc.stdout.strip().splitlines()[-1])["after"])
    assert {"pulumi_azure_native", "pulumi_docker", "pulumi_random"} <= after
    assert not {"pulumi_aws", "pulumi_gcp", "pulumi_kubernetes"} & after
    modules = subprocess.run(
        [
            sys.executable,
            "-c",
            'import sys; from stacks.offline.runner import build_plan; build_plan("prod-azure"); '
            'print(sorted({m.split(".")[1] for m, mod in sys.modules.items() '
            'if m.startswith("pulumi_azure_native.") and type(mod).__name__ != "_LazyModule"}))',
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert modules.returncode == 0, modules.stderr
    loaded = set(json.loads(modules.stdout.strip().splitlines()[-1].replace("'", '"')))
    # The submodules components/azure imports and the SDK's own helpers; the package registers
    # its other ~240 submodules lazily (importlib's LazyLoader), so they are never executed.
    assert loaded - {"_utilities", "provider", "config"} == AZURE_SUBMODULES
