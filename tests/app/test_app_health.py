"""Health probes: liveness touches no dependency; readiness reports each one, 503 on failure."""

from __future__ import annotations

import pytest

LIVE = "/api/v1/health/live/"
READY = "/api/v1/health/ready/"
FULL = "/api/v1/health/"


@pytest.mark.django_db(transaction=True)
def test_ready_and_full_report_every_check_ok(client, db_vendor):
    ready = client.get(READY)
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
    assert set(ready.json()["checks"]) == {"database", "cache"}
    full = client.get(FULL)
    assert full.status_code == 200
    assert {name: c["status"] for name, c in full.json()["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }
    assert full["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_ready_503_names_the_database_when_it_is_unreachable(client, database_down):
    response = client.get(READY)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "error"
    assert checks["database"]["error"] == "OperationalError"
    assert checks["cache"]["status"] == "ok"
    assert client.get(FULL).status_code == 503


@pytest.mark.django_db(transaction=True)
def test_ready_503_names_the_cache_when_it_is_unreachable(client, cache_down):
    response = client.get(READY)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["status"] == "error"
    assert checks["database"]["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_live_makes_zero_queries(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(LIVE)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_live_stays_200_while_database_and_cache_are_down(client, database_down, cache_down):
    assert client.get(READY).status_code == 503
    response = client.get(LIVE)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", [LIVE, READY, FULL, LIVE.rstrip("/")])
def test_probes_answer_an_ip_host_that_allowed_hosts_rejects(client, settings, path):
    settings.ALLOWED_HOSTS = ["api.example.com"]
    assert client.get(path, HTTP_HOST="10.0.3.7:8000").status_code == 200
    assert client.get("/api/v1/submissions/", HTTP_HOST="10.0.3.7:8000").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_probes_are_never_throttled_nor_authenticated(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "1/min", "auth": "1/min"},
    }
    for _ in range(5):
        assert client.get(READY).status_code == 200
        assert client.get(LIVE).status_code == 200


def test_probes_refuse_writes(client):
    response = client.post(LIVE)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
