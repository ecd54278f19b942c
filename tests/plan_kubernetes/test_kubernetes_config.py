"""Stack files with target kubernetes: what the model refuses, each with the key and what would be
valid, before any resource is declared (and `trudeploy validate` exits 2)."""

from __future__ import annotations

import pytest
from kubernetes_plans import KEY_SECRETS, k8s_config

from components.contract import ImageSpec, TargetNotAvailable
from components.kubernetes.image import app_image
from stacks.config import ConfigError, parse_stack_config


def errors(config: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(config, "Pulumi.prod-k8s.yaml")
    return caught.value.errors


def test_the_repository_stack_file_is_valid() -> None:
    parsed = parse_stack_config(k8s_config(), "Pulumi.prod-k8s.yaml")
    assert parsed.kubernetes is not None and parsed.kubernetes.object_store is not None


@pytest.mark.parametrize(
    "image",
    ["ghcr.io/example/app", "ghcr.io/example/app:latest", "localhost:5000/app", None],
)
def test_an_unpinned_image_or_a_build_is_refused(image: str | None) -> None:
    app = {"image": image} if image else {"build": {"context": "app"}}
    [line] = errors(k8s_config(app=app))
    assert "target kubernetes runs a pushed image" in line
    assert "<repository>:<tag> or <repository>@sha256:<digest>" in line


@pytest.mark.parametrize(
    "image", ["ghcr.io/example/app:1.2.3", "localhost:5000/app:v1", f"app@sha256:{'a' * 64}"]
)
def test_a_pinned_image_is_accepted(image: str) -> None:
    parse_stack_config(k8s_config(app={"image": image}), "Pulumi.prod-k8s.yaml")
    assert app_image(ImageSpec(image=image)) == image


def test_the_target_refuses_an_unpinned_image_too() -> None:
    with pytest.raises(TargetNotAvailable, match="not latest"):
        app_image(ImageSpec(image="ghcr.io/example/app:latest"))


def test_beyond_development_an_object_store_is_required() -> None:
    kube = dict(k8s_config()["trudeploy:kubernetes"])
    kube.pop("objectStore")
    [line] = errors(k8s_config(kubernetes=kube, **dict.fromkeys(KEY_SECRETS)))
    assert "runs MinIO only in development" in line and "kubernetes.objectStore" in line


def test_an_object_store_needs_both_key_secrets() -> None:
    [line] = errors(k8s_config(**{KEY_SECRETS[1]: None}))
    assert "trudeploy:objectStoreSecretAccessKey" in line
    assert "pulumi config set --secret" in line


def test_key_secrets_without_an_object_store_are_refused() -> None:
    kube = dict(k8s_config()["trudeploy:kubernetes"])
    kube.pop("objectStore")
    found = errors(k8s_config(env="development", kubernetes=kube))
    assert any("only used with kubernetes.objectStore" in line for line in found)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("cnpgOperator", "maybe", "trudeploy:kubernetes.cnpgOperator: Input should be 'install'"),
        ("ingressClass", "Nginx", "trudeploy:kubernetes.ingressClass: String should match"),
        ("trustedProxies", 9, "trudeploy:kubernetes.trustedProxies: Input should be less"),
        ("colour", "blue", "trudeploy:kubernetes.colour: unknown key; allowed: clusterIssuer"),
        (
            "objectStore",
            {"endpoint": "s3.example.com"},
            "trudeploy:kubernetes.objectStore.endpoint: String should",
        ),
    ],
)
def test_bad_kubernetes_settings_name_the_key(key: str, value: object, message: str) -> None:
    kube = {**k8s_config()["trudeploy:kubernetes"], key: value}
    assert any(line.startswith(message) for line in errors(k8s_config(kubernetes=kube)))


def test_kubernetes_settings_on_another_target_are_refused() -> None:
    config = {"trudeploy:env": "development", "trudeploy:target": "docker",
              "trudeploy:kubernetes": {"ingressClass": "nginx"}}  # fmt: skip
    assert any("only used with target kubernetes" in line for line in errors(config))
