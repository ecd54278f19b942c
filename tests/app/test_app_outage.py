"""What PostgreSQL and Redis outages look like from outside: readiness bounded by its timeout
against a database that hangs, and API requests answered JSON 503 with Retry-After, logged once.

Not part of the embedded (SQLite) re-run: a hanging database is a network peer.
"""

from __future__ import annotations

import logging

import pytest
from conftest import database_at

READY = "/api/v1/health/ready/"
SUBMISSIONS = "/api/v1/submissions/"


@pytest.fixture
def fresh_outage_log(monkeypatch):
    """Each test starts with no outage logged yet (the once-a-period memory is per process)."""
    from api import outage

    monkeypatch.setattr(outage, "_log", outage._OncePerPeriod())


@pytest.mark.django_db(transaction=True)
def test_readiness_gives_up_on_a_hung_database_and_does_not_pile_up(
    client, settings, hanging_peer, db_vendor
):
    from health import checks

    settings.HEALTH_CHECK_TIMEOUT = 1
    with database_at(HOST="127.0.0.1", PORT=hanging_peer.port):
        first = client.get(READY)
        second = client.get(READY)
        accepted = hanging_peer.accepted
        hung = checks._flights._running["database"]
    hanging_peer.release()
    hung.exception(timeout=30)  # the hung check ends once the peer lets go

    for response in (first, second):
        assert response.status_code == 503
        assert response.json()["checks"]["database"]["error"] == "timeout"
        assert response.json()["checks"]["cache"]["status"] == "ok"
    # The second probe found the first one's check still hanging and did not dial again.
    assert accepted == 1
    assert client.get(READY).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_a_json_503_with_retry_after_logged_once(
    api, user, database_down, fresh_outage_log, caplog
):
    api.force_authenticate(user)
    with caplog.at_level(logging.INFO):
        responses = [api.get(SUBMISSIONS) for _ in range(3)]
    for response in responses:
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == "5"
        assert response.json()["unavailable"] == "database"
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.getMessage()) for r in lines] == [
        ("api.outage", "dependency unavailable, answering 503")
    ]
    assert lines[0].exc_info is None


@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_is_a_json_503_too(api, user, cache_down, fresh_outage_log):
    api.force_authenticate(user)
    response = api.get(SUBMISSIONS)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["unavailable"] == "cache"


@pytest.mark.django_db(transaction=True)
def test_other_errors_stay_500s(api, user, monkeypatch):
    from submissions.views import SubmissionViewSet

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SubmissionViewSet, "get_queryset", broken)
    api.force_authenticate(user)
    api.raise_request_exception = False
    assert api.get(SUBMISSIONS).status_code == 500
