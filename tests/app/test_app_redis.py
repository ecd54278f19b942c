"""What only the PostgreSQL + Redis run can show: state shared through Redis."""

from __future__ import annotations

import redis

SUBMISSIONS = "/api/v1/submissions/"


def test_throttle_counts_are_stored_in_redis_under_the_configured_prefix(
    author_api, user, settings, redis_url, redis_prefix
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/min", "user": "5/min", "auth": "5/min"},
    }
    assert author_api.get(SUBMISSIONS).status_code == 200
    keys = list(redis.Redis.from_url(redis_url).scan_iter(match=f"{redis_prefix}*"))
    assert any(key.endswith(f"throttle_user_{user.pk}".encode()) for key in keys), keys
