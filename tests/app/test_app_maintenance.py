"""Maintenance mode from outside, on real PostgreSQL and a real Redis: the toolkit's switch
(migrate/maintenance.py) turns it on and off, and the service refuses writes with 503 and
Retry-After, keeps serving reads and health, and follows the switch within CACHE_SECONDS.

The key's name is fixed by the contract, so these tests use a redis-server of their own
(``private_redis``) rather than the shared one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from app_helpers import free_port

from migrate import maintenance

SUBMISSIONS = "/api/v1/submissions/"
LIVE = "/api/v1/health/live/"
READY = "/api/v1/health/ready/"


@pytest.fixture
def switch(settings, private_redis) -> Iterator[str]:
    """The service reads its flag from the private Redis; the flag is off before and after."""
    from maintenance import flag

    settings.REDIS_URL = private_redis.url
    private_redis.client.delete(maintenance.KEY)
    flag._reader.forget()
    yield private_redis.url
    private_redis.client.delete(maintenance.KEY)
    flag._reader.forget()


def _after_the_cache() -> None:
    """Long enough for every process to have re-read the flag (the contract's bound)."""
    time.sleep(maintenance.CACHE_SECONDS + 0.05)


def _assert_maintenance_503(response, retry_after: int) -> None:
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "maintenance"
    assert response["Retry-After"] == str(retry_after)


def test_the_tool_and_the_service_share_the_contract():
    from maintenance import flag

    assert flag.KEY == maintenance.KEY == "trudeploy:maintenance"
    assert flag.CACHE_SECONDS == maintenance.CACHE_SECONDS <= 1


def test_writes_are_refused_with_retry_after_and_change_nothing(switch, author_api, user):
    from submissions.models import Submission

    existing = Submission.objects.create(owner=user, title="Before")
    url = f"{SUBMISSIONS}{existing.pk}/"
    maintenance.enter(switch, "run-1", retry_after=7)
    _after_the_cache()

    _assert_maintenance_503(author_api.post(SUBMISSIONS, {"title": "New"}, format="json"), 7)
    _assert_maintenance_503(author_api.put(url, {"title": "Put"}, format="json"), 7)
    _assert_maintenance_503(author_api.patch(url, {"title": "Patched"}, format="json"), 7)
    _assert_maintenance_503(author_api.delete(url), 7)
    transition = author_api.post(f"{url}transition/", {"to": "submitted"}, format="json")
    _assert_maintenance_503(transition, 7)
    assert list(Submission.objects.values_list("title", "state")) == [("Before", "draft")]


def test_the_admin_and_the_token_endpoint_refuse_posts_too(switch, client, api, user):
    maintenance.enter(switch, "run-1")
    _after_the_cache()
    login = {"username": "author", "password": "correct horse battery"}
    _assert_maintenance_503(client.post("/admin/login/", login), 5)
    _assert_maintenance_503(api.post("/api/v1/auth/token/", login, format="json"), 5)


def test_reads_and_health_keep_working(switch, author_api, user, client):
    from submissions.models import Submission

    Submission.objects.create(owner=user, title="Readable")
    maintenance.enter(switch, "run-2", retry_after=3)
    _after_the_cache()

    listing = author_api.get(SUBMISSIONS)
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert author_api.head(SUBMISSIONS).status_code == 200
    assert author_api.options(SUBMISSIONS).status_code == 200
    assert client.get(LIVE).status_code == 200
    ready = client.get(READY)
    assert ready.status_code == 200, ready.content
    assert ready.json()["maintenance"]["run_id"] == "run-2"
    assert ready.json()["maintenance"]["retry_after"] == 3


def test_the_service_follows_the_switch_within_cache_seconds(switch, author_api, user, client):
    """On, then off: each change is seen once CACHE_SECONDS have passed, not later."""
    assert author_api.post(SUBMISSIONS, {"title": "Open"}, format="json").status_code == 201
    maintenance.enter(switch, "run-3")
    _after_the_cache()
    _assert_maintenance_503(author_api.post(SUBMISSIONS, {"title": "Frozen"}, format="json"), 5)

    assert maintenance.leave(switch) is True
    _after_the_cache()
    assert author_api.post(SUBMISSIONS, {"title": "Open again"}, format="json").status_code == 201
    assert client.get(READY).json()["maintenance"] is False


@pytest.mark.parametrize(
    ("raw", "retry_after"),
    [
        (b"1", 5),  # hand-set: present, not JSON of an object
        (b"{not json", 5),
        (b'{"run_id": "r", "retry_after": "soon"}', 5),
        (b'{"run_id": "r", "retry_after": 0}', 5),
        (b'{"run_id": "r", "retry_after": 9}', 9),
    ],
)
def test_a_malformed_value_still_means_maintenance(
    switch, private_redis, author_api, raw, retry_after
):
    private_redis.client.set(maintenance.KEY, raw)
    response = author_api.post(SUBMISSIONS, {"title": "New"}, format="json")
    _assert_maintenance_503(response, retry_after)
    shown = maintenance.status(switch)
    assert shown["retry_after"] == retry_after
    assert ("malformed" in shown) is (retry_after == 5)


def test_an_unreadable_flag_refuses_writes_as_an_outage_and_leaves_reads_alone(
    switch, settings, author_api
):
    from maintenance import flag

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    flag._reader.forget()
    refused = author_api.post(SUBMISSIONS, {"title": "New"}, format="json")
    assert refused.status_code == 503
    assert refused.json()["unavailable"] == "cache"
    assert refused["Retry-After"] == "5"
    assert author_api.get(SUBMISSIONS).status_code == 200


def test_without_redis_there_is_no_maintenance(settings, author_api):
    settings.REDIS_URL = ""
    assert author_api.post(SUBMISSIONS, {"title": "New"}, format="json").status_code == 201


def test_the_switch_reports_and_refuses_clearly(private_redis):
    url = private_redis.url
    private_redis.client.delete(maintenance.KEY)
    assert maintenance.status(url) is None
    assert maintenance.leave(url) is False
    written = maintenance.enter(url, "run-4", retry_after=2, reason="cutover")
    assert maintenance.status(url) == written
    assert written["run_id"] == "run-4" and written["reason"] == "cutover"
    assert abs(written["since"] - time.time()) < 60
    assert maintenance.leave(url) is True
    with pytest.raises(maintenance.MaintenanceError, match="not a Redis URL"):
        maintenance.enter("postgres://x@h/db", "run-5")
    with pytest.raises(maintenance.MaintenanceError, match="retry_after"):
        maintenance.enter(url, "run-5", retry_after=0)
    dead = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    with pytest.raises(maintenance.MaintenanceError) as refused:
        maintenance.status(dead)
    assert "127.0.0.1" in str(refused.value) and "hunter2" not in str(refused.value)


def test_a_malformed_value_is_logged_once_not_per_read(switch, private_redis, author_api, caplog):
    private_redis.client.set(maintenance.KEY, b"1")
    for _ in range(2):
        _assert_maintenance_503(author_api.post(SUBMISSIONS, {"title": "x"}, format="json"), 5)
        _after_the_cache()
    warnings = [r for r in caplog.records if r.getMessage().startswith("maintenance key holds")]
    assert len(warnings) == 1
    assert warnings[0].value == "1"
