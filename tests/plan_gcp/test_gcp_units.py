"""The GCP target's small conversions: sizes Cloud Run sells, labels, ids, the CA bundle, the
release token."""

from __future__ import annotations

import pytest

from components.gcp.common import labels, resource_id, run_size
from components.gcp.logs import log_filter
from components.gcp.redis import ca_bundle
from components.gcp.service import execution_token


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [
        (0.25, 512, ("1", "512Mi")),  # whole vCPUs only, so concurrency above 1 is allowed
        (1.0, 2048, ("1", "2048Mi")),
        (3.0, 1000, ("4", "2048Mi")),  # 4 vCPU needs at least 2 GiB
        (6.0, 1024, ("6", "4096Mi")),
        (2.0, 1000, ("2", "1024Mi")),  # rounded up to 256 MiB
    ],
)
def test_run_size_is_one_cloud_run_sells(cpu: float, memory: int, expected: tuple) -> None:
    assert run_size(cpu, memory) == expected


def test_run_size_refuses_more_than_cloud_run_has() -> None:
    with pytest.raises(ValueError, match="at most 8 vCPU"):
        run_size(16, 1024)


def test_labels_are_lowercase_and_valid() -> None:
    assert labels({"Project": "TruDeploy", "stack": "prod.gcp"}) == {
        "project": "trudeploy",
        "stack": "prod-gcp",
    }


def test_resource_ids_start_with_a_letter_and_fit() -> None:
    assert resource_id("Trudeploy_Prod-", 63) == "trudeploy-prod"
    assert resource_id("a" * 40 + "-b", 41) == "a" * 40
    with pytest.raises(ValueError, match="must start with a letter"):
        resource_id("1abc", 63)


def test_the_ca_bundle_keeps_every_ca_during_a_rotation() -> None:
    old = "-----BEGIN CERTIFICATE-----\nOLD\n-----END CERTIFICATE-----"
    new = "-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n"
    assert ca_bundle([{"cert": old}, {"cert": new}]) == f"{old}\n{new.strip()}\n"
    assert ca_bundle(None) == ""


def test_the_release_token_changes_exactly_with_the_image() -> None:
    a = execution_token("r/app@sha256:aaa")
    assert a == execution_token("r/app@sha256:aaa")
    assert a != execution_token("r/app@sha256:bbb")
    assert len(a) == 12 and a.isalnum() and a.islower()


def test_the_log_filter_names_every_cloud_run_kind() -> None:
    text = log_filter("trudeploy-prod-gcp-app")
    for label in ("service_name", "job_name", "worker_pool_name"):
        assert f'resource.labels.{label}:"trudeploy-prod-gcp-app"' in text
